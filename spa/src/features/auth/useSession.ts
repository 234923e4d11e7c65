import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbortError, isApiError, onUnauthorized, ApiError, type Problem } from '../../lib/api';
import { currentPath, navigateTo, type Navigate } from '../../lib/navigation';
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
  /** Reads `/bff/user` again (e.g. when the countdown runs out). */
  refresh: () => Promise<void>;
  /** Tries again after the first `/bff/user` call failed. */
  retry: () => void;
  /** Marks the session as ended by this app itself (e.g. "Sign out everywhere"), with what to tell the user. */
  ended: (why: SessionEnded) => void;
}

export interface UseSessionOptions {
  navigate?: Navigate;
}

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
export function useSession({ navigate = navigateTo }: UseSessionOptions = {}): Session {
  const [state, setStateValue] = useState<SessionState>({ status: 'loading' });
  // Mirrors `state` synchronously, so that several 401s arriving together
  // are handled exactly once.
  const stateRef = useRef<SessionState>(state);
  const setState = useCallback((next: SessionState) => {
    stateRef.current = next;
    setStateValue(next);
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

  const load = useCallback(
    async (signal?: AbortSignal, slide = true) => {
      try {
        const claims = await fetchUserClaims({ signal, slide });
        if (signal?.aborted) return;
        const user = toSessionUser(claims);
        setState({
          status: 'authenticated',
          user,
          expiresAt: user.expiresIn === undefined ? undefined : Date.now() + user.expiresIn * 1000,
        });
      } catch (error) {
        if (signal?.aborted || isAbortError(error)) return;
        const current = stateRef.current.status;
        if (current === 'authenticated' || current === 'anonymous') {
          // A 401 was already turned into "session ended" by the listener;
          // any other failure of a background check keeps the session.
          return;
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
    },
    [setState],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // A background re-check must not count as activity, or it would keep the session alive forever.
  const refresh = useCallback(() => load(undefined, false), [load]);

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
      navigate(logoutUrl(current.user));
    }
  }, [navigate]);

  return { state, signIn, signOut, refresh, retry, ended };
}
