import { useEffect, useRef, useState } from 'react';
import { Button } from '../../../components/Button';
import { formatDuration } from '../../../lib/format';

export interface SessionCountdownProps {
  /** When the BFF session ends, in epoch milliseconds (follows the server after every call). */
  expiresAt: number;
  /** Called once, shortly after the countdown reaches zero. */
  onExpire?: () => void;
  /** "Stay signed in": makes a call that counts as activity. */
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
    // can never cause a burst of re-checks.
    const expire = window.setTimeout(() => onExpireRef.current?.(), expiresAt - Date.now() + EXPIRY_GRACE_MS);
    return () => {
      window.clearInterval(tick);
      window.clearTimeout(expire);
    };
  }, [expiresAt]);

  const left = secondsLeft(expiresAt, now);
  const warn = left > 0 && left <= WARNING_SECONDS;

  const stay = async () => {
    setStaying(true);
    try {
      await onStay?.();
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
