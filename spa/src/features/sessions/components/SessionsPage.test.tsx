import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { onUnauthorized } from '../../../lib/api';
import { mockFetch } from '../../../testing/fetch';
import type { DeviceSession, SessionEvent } from '../api';
import { SessionsPage } from './SessionsPage';

const laptop: DeviceSession = {
  id: 'pub-laptop',
  current: true,
  device: 'Firefox on Linux',
  ipAddress: '203.0.113.5',
  createdAt: '2030-01-01T09:00:00Z',
  lastActivityAt: '2030-01-01T09:10:00Z',
  expiresAt: '2030-01-01T09:25:00Z',
};

const phone: DeviceSession = {
  id: 'pub/phone',
  current: false,
  device: 'Safari on iPhone',
  ipAddress: '198.51.100.9',
  createdAt: '2030-01-01T08:00:00Z',
  lastActivityAt: '2030-01-01T08:30:00Z',
  expiresAt: '2030-01-01T08:45:00Z',
};

const events: SessionEvent[] = [
  { kind: 'ended', at: '2030-01-01T09:05:00Z', sessionId: 'old', current: false, device: 'Chrome on Windows', reason: 'IdleTimeout' },
  { kind: 'created', at: '2030-01-01T09:00:00Z', sessionId: 'pub-laptop', current: true, device: 'Firefox on Linux' },
];

function renderPage() {
  const onSignedOutEverywhere = vi.fn();
  const onSignOutHere = vi.fn();
  const user = userEvent.setup();
  render(<SessionsPage onSignedOutEverywhere={onSignedOutEverywhere} onSignOutHere={onSignOutHere} />);
  return { user, onSignedOutEverywhere, onSignOutHere };
}

describe('SessionsPage', () => {
  it('lists every session with its device, marks this browser, and shows recent activity', async () => {
    const { callsTo } = mockFetch({ '/bff/sessions': { body: [laptop, phone] }, '/bff/sessions/events': { body: events } });
    renderPage();

    const rows = await screen.findAllByTestId('session-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('session-device')).toHaveTextContent('Firefox on Linux');
    expect(within(rows[0]).getByTestId('session-current')).toHaveTextContent('This browser');
    expect(within(rows[1]).getByTestId('session-device')).toHaveTextContent('Safari on iPhone');
    expect(within(rows[1]).queryByTestId('session-current')).not.toBeInTheDocument();
    expect(within(rows[1]).getByText(/198\.51\.100\.9/)).toBeInTheDocument();

    const activity = screen.getAllByTestId('event-row');
    expect(activity[0]).toHaveTextContent('Session ended: timed out (inactive)');
    expect(activity[0]).toHaveTextContent('Chrome on Windows');
    expect(activity[1]).toHaveTextContent('Signed in');
    expect(activity[1]).toHaveTextContent('(this browser)');

    expect(new Headers(callsTo('/bff/sessions')[0][1]?.headers).get('X-CSRF')).toBe('1');
  });

  it('signs out another device and reloads the list', async () => {
    const { callsTo } = mockFetch({
      '/bff/sessions': [{ body: [laptop, phone] }, { body: [laptop] }],
      '/bff/sessions/events': { body: events },
      '/bff/sessions/pub%2Fphone': { status: 204 },
    });
    const { user, onSignOutHere } = renderPage();

    const rows = await screen.findAllByTestId('session-row');
    const other = within(rows[1]).getByRole('button', { name: 'Sign out Safari on iPhone (another device)' });
    expect(other).toHaveTextContent('Sign out that device');
    await user.click(other);

    await waitFor(() => expect(screen.getAllByTestId('session-row')).toHaveLength(1));
    const [[url, init]] = callsTo('/bff/sessions/pub%2Fphone');
    expect(url).toBe('/bff/sessions/pub%2Fphone');
    expect(init?.method).toBe('DELETE');
    expect(new Headers(init?.headers).get('X-CSRF')).toBe('1');
    expect(onSignOutHere).not.toHaveBeenCalled();
  });

  it('signs this browser out the same way as the app\'s Sign out button, without a DELETE', async () => {
    const { fetchMock } = mockFetch({
      '/bff/sessions': { body: [laptop, phone] },
      '/bff/sessions/events': { body: [] },
    });
    const { user, onSignOutHere } = renderPage();

    const rows = await screen.findAllByTestId('session-row');
    const here = within(rows[0]).getByTestId('session-sign-out');
    expect(here).toHaveTextContent('Sign out of this device');
    await user.click(here);

    expect(onSignOutHere).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls.filter(([, init]) => init?.method === 'DELETE')).toHaveLength(0);
    expect(screen.getByText('Nothing yet.')).toBeInTheDocument();
  });

  it('signs out everywhere only after confirmation', async () => {
    const { callsTo } = mockFetch({
      '/bff/sessions': (init) => (init?.method === 'DELETE' ? { status: 204 } : { body: [laptop, phone] }),
      '/bff/sessions/events': { body: events },
    });
    const { user, onSignedOutEverywhere } = renderPage();
    const deletes = () => callsTo('/bff/sessions').filter(([, init]) => init?.method === 'DELETE');

    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    expect(screen.getByTestId('confirm')).toHaveTextContent('this browser included');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(deletes()).toHaveLength(0);
    expect(screen.queryByTestId('confirm')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out everywhere' }));

    await waitFor(() => expect(onSignedOutEverywhere).toHaveBeenCalledTimes(1));
    expect(deletes()).toHaveLength(1);
  });

  it('signs out all other sessions after confirmation and keeps this one', async () => {
    const { callsTo } = mockFetch({
      '/bff/sessions': [{ body: [laptop, phone] }, { body: [laptop] }],
      '/bff/sessions/events': { body: events },
      '/bff/sessions/others': { status: 204 },
    });
    const { user, onSignedOutEverywhere, onSignOutHere } = renderPage();

    await user.click(await screen.findByRole('button', { name: 'Sign out all other sessions' }));
    expect(screen.getByTestId('confirm')).toHaveTextContent('This browser stays signed in');
    expect(callsTo('/bff/sessions/others')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Yes, sign out the others' }));

    await waitFor(() => expect(screen.getAllByTestId('session-row')).toHaveLength(1));
    const [[, init]] = callsTo('/bff/sessions/others');
    expect(init?.method).toBe('DELETE');
    expect(new Headers(init?.headers).get('X-CSRF')).toBe('1');
    expect(onSignedOutEverywhere).not.toHaveBeenCalled();
    expect(onSignOutHere).not.toHaveBeenCalled();
    // Nobody else left: nothing to offer.
    expect(screen.queryByRole('button', { name: 'Sign out all other sessions' })).not.toBeInTheDocument();
  });

  it('shows each row device first, with relative times and loopback as this computer', async () => {
    const now = Date.now();
    const local: DeviceSession = {
      ...laptop,
      ipAddress: '::1',
      createdAt: new Date(now - 3 * 3_600_000).toISOString(),
      lastActivityAt: new Date(now - 2 * 60_000 - 5_000).toISOString(),
    };
    mockFetch({ '/bff/sessions': { body: [local, { ...phone, ipAddress: '127.0.0.1' }] }, '/bff/sessions/events': { body: [] } });
    renderPage();

    const rows = await screen.findAllByTestId('session-row');
    expect(rows[0].textContent?.indexOf('Firefox on Linux')).toBe(0);
    const facts = within(rows[0]).getByTestId('session-facts');
    expect(facts).toHaveTextContent('active 2 minutes ago · this computer · signed in 3 hours ago');
    expect(within(rows[1]).getByTestId('session-address')).toHaveTextContent('this computer');
    expect(screen.queryByText(/::1|127\.0\.0\.1/)).not.toBeInTheDocument();
  });

  it('lists sign-ins and ends but not token refreshes', async () => {
    const refreshed: SessionEvent = { kind: 'refreshed', at: '2030-01-01T09:06:00Z', sessionId: 'pub-laptop', current: true };
    mockFetch({ '/bff/sessions': { body: [laptop] }, '/bff/sessions/events': { body: [refreshed, ...events, refreshed] } });
    renderPage();

    const activity = await screen.findAllByTestId('event-row');
    expect(activity).toHaveLength(2);
    expect(screen.queryByText(/renewed/)).not.toBeInTheDocument();
  });

  it('takes a session that has already ended (404) as signed out, and reloads the list', async () => {
    const { callsTo } = mockFetch({
      '/bff/sessions': [{ body: [laptop, phone] }, { body: [laptop] }],
      '/bff/sessions/events': { body: events },
      '/bff/sessions/pub%2Fphone': { status: 404, body: { title: 'Session not found', status: 404, code: 'not_found' } },
    });
    const { user } = renderPage();

    const rows = await screen.findAllByTestId('session-row');
    await user.click(within(rows[1]).getByTestId('session-sign-out'));

    await waitFor(() => expect(screen.getAllByTestId('session-row')).toHaveLength(1));
    expect(callsTo('/bff/sessions')).toHaveLength(2);
    expect(screen.queryByTestId('sessions-action-error')).not.toBeInTheDocument();
    expect(screen.queryByText('Safari on iPhone')).not.toBeInTheDocument();
  });

  it('shows a failed action and keeps the list', async () => {
    mockFetch({
      '/bff/sessions': { body: [laptop, phone] },
      '/bff/sessions/events': { body: events },
      '/bff/sessions/pub%2Fphone': { status: 503, body: { title: 'Session store unavailable', status: 503 } },
    });
    const { user } = renderPage();

    const rows = await screen.findAllByTestId('session-row');
    await user.click(within(rows[1]).getByTestId('session-sign-out'));

    expect(await screen.findByTestId('sessions-action-error')).toHaveTextContent('Session store unavailable');
    expect(screen.getAllByTestId('session-row')).toHaveLength(2);
  });

  it('reports a 401 while loading to the session listener once', async () => {
    mockFetch({
      '/bff/sessions': { status: 401, body: { title: 'Session ended', code: 'session_ended', detail: 'gone' } },
      '/bff/sessions/events': { status: 401, body: { title: 'Not signed in', code: 'not_authenticated' } },
    });
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    renderPage();

    expect(await screen.findByTestId('sessions-error')).toBeInTheDocument();
    expect(listener).toHaveBeenCalled();
    expect(listener.mock.calls[0][0].problem.code).toBe('session_ended');
    off();
  });
});
