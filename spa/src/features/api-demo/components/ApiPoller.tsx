import { useEffect, useRef, useState } from 'react';
import { retryDelay } from '../../../lib/timers';
import type { WhoAmI } from '../api';

export interface ApiPollerProps {
  call: () => Promise<WhoAmI>;
  /** Milliseconds between calls. */
  intervalMs?: number;
}

interface PollStats {
  ok: number;
  failed: number;
  tokens: string[];
}

/**
 * Calls the API every few seconds while switched on and counts the answers, so anyone can watch the BFF
 * renew access tokens behind the scenes: the token id changes, the failure count stays at zero.
 *
 * It pauses while the tab is hidden: every answer slides the session, so a forgotten background tab would
 * otherwise keep it alive past its idle timeout. After a failure it waits as long as the server asked
 * (`Retry-After` on a 503 or 429), else a pause that grows with each failure in a row.
 */
export function ApiPoller({ call, intervalMs = 3000 }: ApiPollerProps) {
  const [on, setOn] = useState(false);
  const [stats, setStats] = useState<PollStats>({ ok: 0, failed: 0, tokens: [] });
  const callRef = useRef(call);
  callRef.current = call;

  useEffect(() => {
    if (!on) return undefined;
    let stopped = false;
    let calling = false;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const tick = async () => {
      timer = undefined;
      if (document.visibilityState === 'hidden') return;
      calling = true;
      let delay = intervalMs;
      try {
        const answer = await callRef.current();
        failures = 0;
        if (stopped) return;
        setStats((s) => ({
          ok: s.ok + 1,
          failed: s.failed,
          tokens: answer.jti && !s.tokens.includes(answer.jti) ? [...s.tokens, answer.jti] : s.tokens,
        }));
      } catch (error) {
        delay = Math.max(intervalMs, retryDelay(error, failures++));
        if (stopped) return;
        setStats((s) => ({ ...s, failed: s.failed + 1 }));
      } finally {
        calling = false;
      }
      timer = setTimeout(tick, delay);
    };

    // Back in view: carry on at once, unless a call or a wait is under way.
    const resume = () => {
      if (!calling && timer === undefined) void tick();
    };

    void tick();
    document.addEventListener('visibilitychange', resume);
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', resume);
      if (timer) clearTimeout(timer);
    };
  }, [on, intervalMs]);

  return (
    <div className="api-poller">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} data-testid="poll-toggle" />{' '}
        Call every {Math.round(intervalMs / 1000)} s
      </label>
      <p className="muted">
        Answers: <span data-testid="poll-ok">{stats.ok}</span> ok, <span data-testid="poll-failed">{stats.failed}</span>{' '}
        failed, <span data-testid="poll-tokens">{stats.tokens.length}</span> different access tokens
      </p>
    </div>
  );
}
