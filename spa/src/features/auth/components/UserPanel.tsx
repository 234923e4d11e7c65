import { Button } from '../../../components/Button';
import { Card } from '../../../components/Card';
import type { SessionUser } from '../session';
import { SessionCountdown } from './SessionCountdown';

export interface UserPanelProps {
  user: SessionUser;
  expiresAt?: number;
  onSignOut: () => void;
  onExpire?: () => void;
  /** "Stay signed in" before the idle timeout. */
  onStay?: () => Promise<void> | void;
  /** Link to the Sessions page (hidden on that page itself). */
  showSessionsLink?: boolean;
}

export function UserPanel({ user, expiresAt, onSignOut, onExpire, onStay, showSessionsLink = true }: UserPanelProps) {
  return (
    <Card title="Your session">
      <p className="signed-in-as">
        Signed in as <strong data-testid="user-name">{user.displayName}</strong>
        {user.email && user.email !== user.displayName && <span className="muted"> ({user.email})</span>}
      </p>
      {expiresAt !== undefined && <SessionCountdown expiresAt={expiresAt} onExpire={onExpire} onStay={onStay} />}
      <div className="actions">
        <Button variant="secondary" onClick={onSignOut} data-testid="sign-out">
          Sign out
        </Button>
        {showSessionsLink && (
          <a className="button button--secondary" href="/sessions" data-testid="manage-sessions">
            Your sessions
          </a>
        )}
      </div>
    </Card>
  );
}
