import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbortError, isApiError, onSessionExpiry, onUnauthorized, ApiError, type Problem } from '../../lib/api';
import { currentPath, navigateTo, type Navigate } from '../../lib/navigation';
import { openTabChannel, type TabChannel, type TabMessage } from '../../lib/tabs';
import { retryDelay } from '../../lib/timers';
import { fetchUserClaims, loginUrl, logoutUrl, toSessionUser, type SessionUser } from './session';

export const SESSION_ENDED_MESSAGE = 'Your session has ended. Please sign in again.';

/** The BFF's problem code for "the session this browser had has ended", with the reason as `detail`. */
export const SESSION_ENDED_CODE = 'session_ended';

/** Why a session that was active is now gone, as told by the BFF. */
export interface SessionEnded {
  detail?: string;
  code?: string;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; ended?: SessionEnded }
  | { status: 'authenticated'; user: SessionUser; expiresAt?: number }
  | { status: 'error'; error: ApiError };

export interface Session {
  state: SessionState;
  /** Leaves the SPA for the BFF's login endpoint, coming back here. */
  signIn: () => void;
  /** Leaves the SPA for the BFF's logout endpoint. */
  signOut: () => void;
  /**
   * Reads `/bff/user` again without counting as activity (when the countdown runs out); a failure other than a 401
   * is retried until the server answers.
   */
  refresh: () => Promise<void>;
  /** Tries again after the first `/bff/user` call failed. */
  retry: () => void;
  /** Marks the session as ended by this app itself (e.g. "Sign out everywhere"), with what to tell the user. */
  ended: (why: SessionEnded) => void;
  /** "Stay signed in": a call that counts as activity, so the server's idle timer starts again. Rejects when it failed. */
  stayActive: () => Promise<void>;
}

export interface UseSessionOptions {
  navigate?: Navigate;
  /** Talks to the app's other tabs; replaceable in tests. */
  openChannel?: (onMessage: (message: TabMessage) => void) => TabChannel;
}

/** What the other tabs show when this one signed out. */
export const SIGNED_OUT_IN_OTHER_TAB = 'You signed out in another tab or window.';

/** Focus and visibility changes closer together than this trigger one re-check. */
const RECHECK_INTERVAL_MS = 2000;

/** Expiry updates smaller than this are noise (rounding to whole seconds). */
const EXPIRY_TOLERANCE_MS = 1500;

function describeEnd(problem: Problem): SessionEnded {
  const text = problem.detail ?? (problem.title && problem.title !== 'Unauthorized' ? problem.title : undefined);
  return { detail: text, code: problem.code };
}

function toError(error: unknown): ApiError {
  if (isApiError(error)) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(0, { title: 'Something went wrong.', detail: message }, '');
}

/**
 * Owns the signed-in user. Use it once, near the root of the app.
 *
 * It is also the single place that reacts to a 401: when a call made while
 * signed in is rejected, the state turns anonymous and remembers why. A 401
 * while not signed in (including the first `/bff/user` call) only means
 * "anonymous" and triggers nothing else, so there is no retry loop and no
 * automatic redirect.
 */
export function useSession({ navigate = navigateTo, openChannel = openTabChannel }: UseSessionOptions = {}): Session {
  const [state, setStateValue] = useState<SessionState>({ status: 'loading' });
  // Mirrors `state` synchronously, so that several 401s arriving together
  // are handled exactly once.
  const stateRef = useRef<SessionState>(state);
  const channelRef = useRef<TabChannel | null>(null);

  /** Sets the state; tells the other tabs when this tab signed in or out, unless they told us. */
  const setState = useCallback((next: SessionState, fromOtherTab = false) => {
    const previous = stateRef.current;
    stateRef.current = next;
    setStateValue(next);
    if (fromOtherTab) return;
    if (previous.status === 'authenticated' && next.status === 'anonymous') {
      channelRef.current?.post({ type: 'signed-out', detail: next.ended?.detail });
    } else if (previous.status !== 'authenticated' && next.status === 'authenticated') {
      channelRef.current?.post({ type: 'signed-in' });
    }
  }, []);

  useEffect(
    () =>
      onUnauthorized(({ problem }) => {
        if (stateRef.current.status === 'authenticated') {
          setState({ status: 'anonymous', ended: describeEnd(problem) });
        }
      }),
    [setState],
  );

  // The server's idle timer slides with every call: follow what it reports.
  useEffect(
    () =>
      onSessionExpiry((secondsLeft) => {
        const current = stateRef.current;
        if (current.status !== 'authenticated') return;
        const expiresAt = Date.now() + secondsLeft * 1000;
        if (current.expiresAt !== undefined && Math.abs(current.expiresAt - expiresAt) < EXPIRY_TOLERANCE_MS) return;
        setState({ ...current, expiresAt });
        channelRef.current?.post({ type: 'expiry', expiresAt });
      }),
    [setState],
  );

  /**
   * Reads `/bff/user`. A check made while signed in or out that fails leaves the state as it is (a 401 has signed
   * out through the listener by then) and returns the failure, for the caller to retry or show.
   */
  const load = useCallback(
    async (signal?: AbortSignal, slide = true): Promise<ApiError | undefined> => {
      try {
        const claims = await fetchUserClaims({ signal, slide });
        if (signal?.aborted) return undefined;
        const user = toSessionUser(claims);
        setState({
          status: 'authenticated',
          user,
          expiresAt: user.expiresIn === undefined ? undefined : Date.now() + user.expiresIn * 1000,
        });
      } catch (error) {
        if (signal?.aborted || isAbortError(error)) return undefined;
        const current = stateRef.current.status;
        if (current === 'authenticated' || current === 'anonymous') {
          // A 401 was already turned into "session ended" by the listener;
          // any other failure of a background check keeps the session.
          return toError(error);
        }
        if (isApiError(error) && error.status === 401) {
          // The BFF says `session_ended` (once) when this browser's session was ended elsewhere or timed out.
          setState(
            error.problem.code === SESSION_ENDED_CODE
              ? { status: 'anonymous', ended: describeEnd(error.problem) }
              : { status: 'anonymous' },
          );
        } else {
          setState({ status: 'error', error: toError(error) });
        }
      }
      return undefined;
    },
    [setState],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const retryTimer = useRef<number | undefined>(undefined);
  // A check still waiting for its answer at unmount must not schedule the next one.
  const unmounted = useRef(false);
  useEffect(() => {
    unmounted.current = false;
    return () => {
      unmounted.current = true;
      window.clearTimeout(retryTimer.current);
    };
  }, []);

  // A background re-check must not count as activity, or it would keep the session alive forever. Only the server
  // can tell whether the session ended: while it cannot answer (503, 429, network down) the check is made again,
  // after its Retry-After or a growing pause, until it says 200 (the new expiry) or 401 (signed out). Otherwise the
  // countdown would stand at 00:00 for good.
  const refresh = useCallback(async () => {
    window.clearTimeout(retryTimer.current);
    const check = async (attempt: number) => {
      const failure = await load(undefined, false);
      if (failure && stateRef.current.status === 'authenticated' && !unmounted.current) {
        retryTimer.current = window.setTimeout(() => void check(attempt + 1), retryDelay(failure, attempt));
      }
    };
    await check(0);
  }, [load]);

  // The user asked for this call: a failure that leaves them signed in (a 401 signs out) is theirs to see.
  const stayActive = useCallback(async () => {
    const failure = await load(undefined, true);
    if (failure && stateRef.current.status === 'authenticated') throw failure;
  }, [load]);

  // Every tab of this browser shares one cookie: what one learns, all show.
  useEffect(() => {
    const channel = openChannel((message) => {
      const current = stateRef.current;
      if (message.type === 'signed-out') {
        if (current.status === 'authenticated') {
          setState({ status: 'anonymous', ended: { detail: message.detail ?? SIGNED_OUT_IN_OTHER_TAB } }, true);
        }
      } else if (message.type === 'signed-in') {
        if (current.status === 'anonymous') void load(undefined, false);
      } else if (current.status === 'authenticated' && message.expiresAt !== current.expiresAt) {
        setState({ ...current, expiresAt: message.expiresAt }, true);
      }
    });
    channelRef.current = channel;
    return () => {
      channelRef.current = null;
      channel.close();
    };
  }, [openChannel, load, setState]);

  // Coming back to the tab: the session may have ended (or begun) elsewhere meanwhile.
  useEffect(() => {
    let last = 0;
    const recheck = () => {
      if (document.visibilityState === 'hidden') return;
      const status = stateRef.current.status;
      if (status !== 'authenticated' && status !== 'anonymous') return;
      const now = Date.now();
      if (now - last < RECHECK_INTERVAL_MS) return;
      last = now;
      void load(undefined, false);
    };
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', recheck);
    return () => {
      window.removeEventListener('focus', recheck);
      document.removeEventListener('visibilitychange', recheck);
    };
  }, [load]);

  const ended = useCallback((why: SessionEnded) => setState({ status: 'anonymous', ended: why }), [setState]);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    void load();
  }, [load, setState]);

  const signIn = useCallback(() => {
    navigate(loginUrl(currentPath()));
  }, [navigate]);

  const signOut = useCallback(() => {
    const current = stateRef.current;
    if (current.status === 'authenticated') {
      channelRef.current?.post({ type: 'signed-out', detail: SIGNED_OUT_IN_OTHER_TAB });
      navigate(logoutUrl(current.user));
    }
  }, [navigate]);

  return { state, signIn, signOut, refresh, retry, ended, stayActive };
}
