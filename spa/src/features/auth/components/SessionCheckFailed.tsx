import { Button } from '../../../components/Button';
import { Card } from '../../../components/Card';
import { ErrorMessage } from '../../../components/ErrorMessage';
import type { ApiError } from '../../../lib/api';

/** Shown by every route when `/bff/user` could not be reached: the problem and a retry. */
export function SessionCheckFailed({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  return (
    <Card title="Could not check your session">
      <ErrorMessage error={error} testId="session-error" />
      <div className="actions">
        <Button onClick={onRetry} data-testid="retry">
          Try again
        </Button>
      </div>
    </Card>
  );
}
