import { Button } from '../../../components/Button';
import { Card } from '../../../components/Card';
import { SESSION_ENDED_MESSAGE, type SessionEnded } from '../useSession';

export interface SignedOutProps {
  onSignIn: () => void;
  ended?: SessionEnded;
}

export function SignedOut({ onSignIn, ended }: SignedOutProps) {
  return (
    <Card title="You are not signed in">
      {ended && (
        <div className="message message--warning" role="alert" data-testid="session-ended">
          <p className="message__title">{SESSION_ENDED_MESSAGE}</p>
          {ended.detail && (
            <p className="message__detail" data-testid="session-ended-detail">
              {ended.detail}
            </p>
          )}
        </div>
      )}
      <p>Sign in to call the API on your behalf. Your tokens stay on the server; this page only holds a session cookie.</p>
      <div className="actions">
        <Button onClick={onSignIn} data-testid="sign-in">
          Sign in
        </Button>
      </div>
    </Card>
  );
}
