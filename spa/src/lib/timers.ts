import { isApiError } from './api';

/** The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const FIRST_RETRY_MS = 2000;
const LAST_RETRY_MS = 60_000;
/** The longest a retry waits, whatever `Retry-After` says: a page frozen for a day helps nobody. */
export const LONGEST_RETRY_MS = 5 * 60_000;

/**
 * How long to wait before trying again after a failed call: the server's `Retry-After` when it sent one (at most
 * five minutes), else 2 s doubling with each attempt (`attempt` 0 is the first retry) up to a minute. Never less
 * than a second, so a server saying `Retry-After: 0` cannot cause a storm.
 */
export function retryDelay(error: unknown, attempt: number): number {
  const asked = isApiError(error) ? error.retryAfterMs : undefined;
  const delay = asked ?? Math.min(FIRST_RETRY_MS * 2 ** attempt, LAST_RETRY_MS);
  return Math.min(Math.max(delay, 1000), LONGEST_RETRY_MS);
}
