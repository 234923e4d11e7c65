import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { LONGEST_RETRY_MS, retryDelay } from './timers';

const unavailable = (retryAfterMs?: number) => new ApiError(503, {}, '/bff/user', retryAfterMs);

describe('retryDelay', () => {
  it('waits as long as Retry-After says', () => {
    expect(retryDelay(unavailable(10_000), 0)).toBe(10_000);
  });

  it('waits at most five minutes, whatever Retry-After says', () => {
    expect(retryDelay(unavailable(24 * 3600_000), 0)).toBe(LONGEST_RETRY_MS);
  });

  it('waits at least a second, so Retry-After: 0 cannot cause a storm', () => {
    expect(retryDelay(unavailable(0), 0)).toBe(1000);
  });

  it('backs off from 2 s, doubling up to a minute, without Retry-After', () => {
    expect([0, 1, 2, 5, 10].map((attempt) => retryDelay(new TypeError('offline'), attempt))).toEqual([
      2000, 4000, 8000, 60_000, 60_000,
    ]);
  });
});
