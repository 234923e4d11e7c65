import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from '../../../components/Button';
import { Card } from '../../../components/Card';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { type ApiError, isApiError, toApiError } from '../../../lib/api';
import { describeAddress, formatRelative } from '../../../lib/format';
import {
  describeEvent,
  endAllSessions,
  endOtherSessions,
  endSession,
  isListedEvent,
  listSessionEvents,
  listSessions,
  type DeviceSession,
  type SessionEvent,
} from '../api';

export interface SessionsPageProps {
  /** Called after "Sign out everywhere" ended this browser's session too. */
  onSignedOutEverywhere: () => void;
  /** Signs this browser out (the same as the app's Sign out button). */
  onSignOutHere: () => void;
}

type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: ApiError }
  | { status: 'done'; sessions: DeviceSession[]; events: SessionEvent[] };

/** The two actions that end several sessions at once, and ask first. */
type BulkAction = 'others' | 'everywhere';

const CONFIRM: Record<BulkAction, { question: string; yes: string }> = {
  others: {
    question: 'Sign out every other device? This browser stays signed in.',
    yes: 'Yes, sign out the others',
  },
  everywhere: {
    question: 'Sign out everywhere, this browser included? Every device will have to sign in again.',
    yes: 'Yes, sign out everywhere',
  },
};

function absolute(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A relative time, with the exact one on hover and for assistive technology. */
function When({ iso, now }: { iso: string; now: number }) {
  return (
    <time dateTime={iso} title={absolute(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}

/** Re-renders every 30 seconds, so "2 minutes ago" stays true while the page is open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/** Where the user is signed in: one row per device, sign out one, the others or all, and the recent events. */
export function SessionsPage({ onSignedOutEverywhere, onSignOutHere }: SessionsPageProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const mounted = useRef(true);
  const now = useNow();

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    try {
      const [sessions, events] = await Promise.all([listSessions(), listSessionEvents()]);
      if (mounted.current) setLoad({ status: 'done', sessions, events: events.filter(isListedEvent) });
    } catch (error) {
      // A 401 has already ended the session (see useSession); this page is going away.
      if (mounted.current) setLoad({ status: 'failed', error: toApiError(error) });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const endOther = useCallback(
    async (session: DeviceSession) => {
      setBusy(session.id);
      setActionError(null);
      try {
        await endSession(session.id);
        await reload();
      } catch (error) {
        // 404: that session has already ended (signed out from another tab, or timed out): what was asked is done.
        if (isApiError(error) && error.status === 404) await reload();
        else if (mounted.current) setActionError(toApiError(error));
      } finally {
        if (mounted.current) setBusy(null);
      }
    },
    [reload],
  );

  const runBulk = useCallback(
    async (action: BulkAction) => {
      setConfirming(null);
      setBusy(action);
      setActionError(null);
      try {
        if (action === 'everywhere') {
          await endAllSessions();
          onSignedOutEverywhere();
          return;
        }
        await endOtherSessions();
        await reload();
      } catch (error) {
        if (mounted.current) setActionError(toApiError(error));
      } finally {
        if (mounted.current) setBusy(null);
      }
    },
    [onSignedOutEverywhere, reload],
  );

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

  const others = load.sessions.filter((s) => !s.current).length;

  return (
    <>
      <Card title="Where you are signed in">
        {actionError && <ErrorMessage error={actionError} testId="sessions-action-error" />}
        <ul className="session-list" data-testid="session-list">
          {load.sessions.map((session) => {
            const where = describeAddress(session.ipAddress);
            return (
              <li key={session.id} className="session-list__item" data-testid="session-row" data-session-id={session.id}>
                <div className="session-list__what">
                  <div className="session-list__device">
                    <strong data-testid="session-device">{session.device}</strong>
                    {session.current && (
                      <span className="badge" data-testid="session-current">
                        This browser
                      </span>
                    )}
                  </div>
                  <div className="muted session-list__facts" data-testid="session-facts">
                    <span>
                      active <When iso={session.lastActivityAt} now={now} />
                    </span>
                    {where && <span data-testid="session-address"> · {where}</span>}
                    <span className="session-list__extra">
                      {' '}
                      · signed in <When iso={session.createdAt} now={now} />
                    </span>
                  </div>
                </div>
                {session.current ? (
                  <Button
                    variant="secondary"
                    onClick={onSignOutHere}
                    disabled={busy !== null}
                    data-testid="session-sign-out"
                  >
                    Sign out of this device
                  </Button>
                ) : (
                  <Button
                    variant="secondary"
                    onClick={() => void endOther(session)}
                    busy={busy === session.id}
                    disabled={busy !== null}
                    data-testid="session-sign-out"
                    aria-label={`Sign out ${session.device} (another device)`}
                  >
                    Sign out that device
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
        {confirming ? (
          <div className="message message--warning confirm" role="alertdialog" aria-labelledby="confirm-question" data-testid="confirm">
            <p className="message__title" id="confirm-question">
              {CONFIRM[confirming].question}
            </p>
            <div className="actions">
              <Button onClick={() => void runBulk(confirming)} data-testid="confirm-yes">
                {CONFIRM[confirming].yes}
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(null)} data-testid="confirm-cancel">
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <div className="actions">
            {others > 0 && (
              <Button
                variant="secondary"
                onClick={() => setConfirming('others')}
                busy={busy === 'others'}
                disabled={busy !== null}
                data-testid="sign-out-others"
              >
                Sign out all other sessions
              </Button>
            )}
            <Button
              onClick={() => setConfirming('everywhere')}
              busy={busy === 'everywhere'}
              disabled={busy !== null}
              data-testid="sign-out-everywhere"
            >
              Sign out everywhere
            </Button>
            <a className="button button--secondary" href="/">
              Back
            </a>
          </div>
        )}
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
                  {event.current ? ' (this browser)' : ''}
                  {describeAddress(event.ipAddress) ? ` · ${describeAddress(event.ipAddress)}` : ''} ·{' '}
                  <When iso={event.at} now={now} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
