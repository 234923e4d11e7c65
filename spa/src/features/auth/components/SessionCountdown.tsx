import { useEffect, useRef, useState } from 'react';
import { Button } from '../../../components/Button';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { type ApiError, toApiError } from '../../../lib/api';
import { formatDuration } from '../../../lib/format';
import { MAX_TIMEOUT_MS } from '../../../lib/timers';

export interface SessionCountdownProps {
  /** When the BFF session ends, in epoch milliseconds (follows the server after every call). */
  expiresAt: number;
  /** Called once, shortly after the countdown reaches zero. */
  onExpire?: () => void;
  /** "Stay signed in": makes a call that counts as activity; its failure is shown. */
  onStay?: () => Promise<void> | void;
}

/** Grace period before re-checking the session, so the server has truly ended it. */
const EXPIRY_GRACE_MS = 1000;

/** How long before the idle end the warning appears. */
export const WARNING_SECONDS = 60;

function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

export function SessionCountdown({ expiresAt, onExpire, onStay }: SessionCountdownProps) {
  const [now, setNow] = useState(() => Date.now());
  const [staying, setStaying] = useState(false);
  const [stayError, setStayError] = useState<ApiError | null>(null);
  const onExpireRef = useRef(onExpire);

  useEffect(() => {
    onExpireRef.current = onExpire;
  }, [onExpire]);

  useEffect(() => {
    setNow(Date.now());
    if (expiresAt <= Date.now()) {
      return undefined;
    }
    const tick = window.setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= expiresAt) {
        window.clearInterval(tick);
      }
    }, 1000);
    // Only a countdown that was running fires, so an already-expired value
    // can never cause a burst of re-checks. A session longer than setTimeout's
    // limit is waited for in steps: a timer that fires before the end re-arms.
    const recheckAt = expiresAt + EXPIRY_GRACE_MS;
    let expire = 0;
    const arm = () => {
      expire = window.setTimeout(
        () => (Date.now() < recheckAt ? arm() : onExpireRef.current?.()),
        Math.min(recheckAt - Date.now(), MAX_TIMEOUT_MS),
      );
    };
    arm();
    return () => {
      window.clearInterval(tick);
      window.clearTimeout(expire);
    };
  }, [expiresAt]);

  const left = secondsLeft(expiresAt, now);
  const warn = left > 0 && left <= WARNING_SECONDS;

  const stay = async () => {
    setStaying(true);
    setStayError(null);
    try {
      await onStay?.();
    } catch (error) {
      setStayError(toApiError(error));
    } finally {
      setStaying(false);
    }
  };

  return (
    <>
      <p className="session-expires">
        Session expires in{' '}
        <time data-testid="session-expires" dateTime={`PT${left}S`}>
          {formatDuration(left)}
        </time>{' '}
        <span className="muted">without activity</span>
      </p>
      {warn && (
        <div className="message message--warning" role="alert" data-testid="idle-warning">
          <p className="message__title">You will be signed out in {formatDuration(left)} because of inactivity.</p>
          {stayError && <ErrorMessage error={stayError} testId="stay-error" />}
          {onStay && (
            <div className="actions">
              <Button onClick={() => void stay()} busy={staying} data-testid="stay-signed-in">
                Stay signed in
              </Button>
            </div>
          )}
        </div>
      )}
    </>
  );
}
