import { api } from '../../lib/api';

/** One of the signed-in user's sessions, as `GET /bff/sessions` lists it. */
export interface DeviceSession {
  /** Opaque public id: what `DELETE /bff/sessions/{id}` takes. */
  id: string;
  /** True for the session of this browser. */
  current: boolean;
  /** A short label such as "Chrome on Linux". */
  device: string;
  userAgent?: string;
  ipAddress?: string;
  providerSessionId?: string;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
}

/** One entry of the user's recent session history, newest first. */
export interface SessionEvent {
  kind: 'created' | 'refreshed' | 'ended' | string;
  at: string;
  sessionId: string;
  current: boolean;
  device?: string;
  ipAddress?: string;
  /** Why an `ended` session ended, e.g. `EndedFromOtherSession`. */
  reason?: string;
}

export const SESSIONS_ENDPOINT = '/bff/sessions';

export function listSessions(): Promise<DeviceSession[]> {
  return api.getList<DeviceSession>(SESSIONS_ENDPOINT);
}

export function listSessionEvents(): Promise<SessionEvent[]> {
  return api.getList<SessionEvent>(`${SESSIONS_ENDPOINT}/events`);
}

/** Ends one of the user's sessions (another device, or this one). */
export function endSession(id: string): Promise<void> {
  return api.request<void>(`${SESSIONS_ENDPOINT}/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Ends every session of the user except this browser's. */
export function endOtherSessions(): Promise<void> {
  return api.request<void>(`${SESSIONS_ENDPOINT}/others`, { method: 'DELETE' });
}

/** What "Recent activity" shows: sign-ins and ends. Token refreshes are audited on the server, not listed. */
export function isListedEvent(event: SessionEvent): boolean {
  return event.kind === 'created' || event.kind === 'ended';
}

/** Ends every session of the user, this one included. */
export function endAllSessions(): Promise<void> {
  return api.request<void>(SESSIONS_ENDPOINT, { method: 'DELETE' });
}

const REASONS: Record<string, string> = {
  SignOut: 'signed out',
  EndedFromOtherSession: 'signed out from another session',
  SignOutEverywhere: 'signed out everywhere',
  BackChannel: 'signed out at the identity provider',
  IdleTimeout: 'timed out (inactive)',
  AbsoluteLifetime: 'reached its maximum lifetime',
  RefreshFailed: 'could no longer be renewed',
  Unreadable: 'could no longer be read',
  Replaced: 'replaced by a new sign-in',
  SessionLimit: 'ended to stay within the session limit',
};

/** A short sentence for an audit event, e.g. "Session ended: signed out from another session". */
export function describeEvent(event: SessionEvent): string {
  switch (event.kind) {
    case 'created':
      return 'Signed in';
    case 'refreshed':
      return 'Session renewed';
    case 'ended':
      return event.reason ? `Session ended: ${REASONS[event.reason] ?? event.reason}` : 'Session ended';
    default:
      return event.kind;
  }
}
