import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from '../../../components/Button';
import { Card } from '../../../components/Card';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { ApiError, isApiError } from '../../../lib/api';
import {
  describeEvent,
  endAllSessions,
  endSession,
  listSessionEvents,
  listSessions,
  type DeviceSession,
  type SessionEvent,
} from '../api';

export interface SessionsPageProps {
  /** Called after "Sign out everywhere" ended this browser's session too. */
  onSignedOutEverywhere: () => void;
  /** Called after the user ended this browser's own session from the list. */
  onSignedOutHere: () => void;
}

type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: ApiError }
  | { status: 'done'; sessions: DeviceSession[]; events: SessionEvent[] };

function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  return new ApiError(0, { title: error instanceof Error ? error.message : 'Request failed' }, '');
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Where the user is signed in: one row per session with Sign out, Sign out everywhere, and the recent events. */
export function SessionsPage({ onSignedOutEverywhere, onSignedOutHere }: SessionsPageProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    try {
      const [sessions, events] = await Promise.all([listSessions(), listSessionEvents()]);
      if (mounted.current) setLoad({ status: 'done', sessions, events });
    } catch (error) {
      // A 401 has already ended the session (see useSession); this page is going away.
      if (mounted.current) setLoad({ status: 'failed', error: toApiError(error) });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const end = useCallback(
    async (session: DeviceSession) => {
      setBusy(session.id);
      setActionError(null);
      try {
        await endSession(session.id);
        if (session.current) {
          onSignedOutHere();
          return;
        }
        await reload();
      } catch (error) {
        if (mounted.current) setActionError(toApiError(error));
      } finally {
        if (mounted.current) setBusy(null);
      }
    },
    [onSignedOutHere, reload],
  );

  const endEverywhere = useCallback(async () => {
    setBusy('*');
    setActionError(null);
    try {
      await endAllSessions();
      onSignedOutEverywhere();
    } catch (error) {
      if (mounted.current) setActionError(toApiError(error));
    } finally {
      if (mounted.current) setBusy(null);
    }
  }, [onSignedOutEverywhere]);

  if (load.status === 'loading') {
    return <Loading label="Loading your sessions…" />;
  }

  if (load.status === 'failed') {
    return (
      <Card title="Your sessions">
        <ErrorMessage error={load.error} testId="sessions-error" />
        <div className="actions">
          <Button onClick={() => void reload()}>Try again</Button>
        </div>
      </Card>
    );
  }

  return (
    <>
      <Card title="Where you are signed in">
        {actionError && <ErrorMessage error={actionError} testId="sessions-action-error" />}
        <ul className="session-list" data-testid="session-list">
          {load.sessions.map((session) => (
            <li key={session.id} className="session-list__item" data-testid="session-row" data-session-id={session.id}>
              <div className="session-list__what">
                <strong data-testid="session-device">{session.device}</strong>
                {session.current && (
                  <span className="badge" data-testid="session-current">
                    This browser
                  </span>
                )}
                <div className="muted session-list__facts">
                  {session.ipAddress && <span>{session.ipAddress} · </span>}
                  <span>signed in {formatTime(session.createdAt)}</span>
                  <span> · last active {formatTime(session.lastActivityAt)}</span>
                  <span> · ends {formatTime(session.expiresAt)}</span>
                </div>
              </div>
              <Button
                variant="secondary"
                onClick={() => void end(session)}
                busy={busy === session.id}
                disabled={busy !== null}
                data-testid="session-sign-out"
                aria-label={`Sign out ${session.device}${session.current ? ' (this browser)' : ''}`}
              >
                Sign out
              </Button>
            </li>
          ))}
        </ul>
        <div className="actions">
          <Button onClick={() => void endEverywhere()} busy={busy === '*'} disabled={busy !== null} data-testid="sign-out-everywhere">
            Sign out everywhere
          </Button>
          <a className="button button--secondary" href="/">
            Back
          </a>
        </div>
      </Card>
      <Card title="Recent activity">
        {load.events.length === 0 ? (
          <p className="muted">Nothing yet.</p>
        ) : (
          <ul className="event-list" data-testid="event-list">
            {load.events.map((event, index) => (
              <li key={`${event.at}-${event.sessionId}-${index}`} data-testid="event-row">
                <span className="event-list__what">{describeEvent(event)}</span>
                <span className="muted">
                  {' '}
                  · {event.device ?? 'Unknown device'}
                  {event.current ? ' (this browser)' : ''} · {formatTime(event.at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
