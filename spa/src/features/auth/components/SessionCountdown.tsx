import { useEffect, useRef, useState } from 'react';
import { formatDuration } from '../../../lib/format';

export interface SessionCountdownProps {
  /** When the BFF session ends, in epoch milliseconds. */
  expiresAt: number;
  /** Called once, shortly after the countdown reaches zero. */
  onExpire?: () => void;
}

/** Grace period before re-checking the session, so the cookie has truly expired. */
const EXPIRY_GRACE_MS = 1000;

function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

export function SessionCountdown({ expiresAt, onExpire }: SessionCountdownProps) {
  const [now, setNow] = useState(() => Date.now());
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
  return (
    <p className="session-expires">
      Session expires in{' '}
      <time data-testid="session-expires" dateTime={`PT${left}S`}>
        {formatDuration(left)}
      </time>
    </p>
  );
}
