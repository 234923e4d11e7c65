import { useEffect, useRef, useState } from 'react';
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
 */
export function ApiPoller({ call, intervalMs = 3000 }: ApiPollerProps) {
  const [on, setOn] = useState(false);
  const [stats, setStats] = useState<PollStats>({ ok: 0, failed: 0, tokens: [] });
  const callRef = useRef(call);
  callRef.current = call;

  useEffect(() => {
    if (!on) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const tick = async () => {
      try {
        const answer = await callRef.current();
        if (stopped) return;
        setStats((s) => ({
          ok: s.ok + 1,
          failed: s.failed,
          tokens: answer.jti && !s.tokens.includes(answer.jti) ? [...s.tokens, answer.jti] : s.tokens,
        }));
      } catch {
        if (stopped) return;
        setStats((s) => ({ ...s, failed: s.failed + 1 }));
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };

    void tick();
    return () => {
      stopped = true;
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
