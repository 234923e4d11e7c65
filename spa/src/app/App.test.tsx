import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claims, mockFetch } from '../testing/fetch';
import { App } from './App';

const whoami = {
  sub: '818727',
  name: 'Alice Smith',
  scope: 'openid profile api',
  aud: 'api',
  client_id: 'bff',
  jti: 'j-1',
  iat: 1700000000,
  exp: 1700000300,
};

function renderApp() {
  const navigate = vi.fn<(url: string) => void>();
  const user = userEvent.setup();
  render(<App navigate={navigate} />);
  return { navigate, user };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('App: signed out', () => {
  it('shows Loading… and then the Sign in button', async () => {
    const { callsTo } = mockFetch({ '/bff/user': { status: 401 } });
    renderApp();

    expect(screen.getByText('Loading…')).toBeInTheDocument();

    const signIn = await screen.findByRole('button', { name: 'Sign in' });
    expect(signIn).toHaveAttribute('data-testid', 'sign-in');
    expect(screen.getByRole('heading', { level: 2, name: 'You are not signed in' })).toBeInTheDocument();
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
    expect(screen.queryByTestId('session-ended')).not.toBeInTheDocument();
    expect(screen.queryByTestId('user-name')).not.toBeInTheDocument();

    const [[url, init]] = callsTo('/bff/user');
    expect(url).toBe('/bff/user');
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('X-CSRF')).toBe('1');
  });

  it('signs in with a full-page navigation back to the current path', async () => {
    mockFetch({ '/bff/user': { status: 401 } });
    const { navigate, user } = renderApp();

    await user.click(await screen.findByTestId('sign-in'));

    expect(navigate).toHaveBeenCalledTimes(1);
    expect(navigate).toHaveBeenCalledWith('/bff/login?returnUrl=%2F');
  });

  it('returns to a place with a backslash in its query through a returnUrl the server accepts', async () => {
    mockFetch({ '/bff/user': { status: 401 } });
    vi.stubGlobal('location', { ...window.location, pathname: '/', search: '?q=a\\b', hash: '', assign: vi.fn() });
    const { navigate, user } = renderApp();

    await user.click(await screen.findByTestId('sign-in'));

    const returnUrl = new URL(navigate.mock.calls[0][0], 'http://localhost').searchParams.get('returnUrl') ?? '';
    expect(returnUrl).toBe('/?q=a%5Cb');
    // ReturnUrlValidator.IsLocal, ported: a path, not //host or /\host, printable ASCII without space or \.
    expect(returnUrl[0]).toBe('/');
    expect(['/', '\\']).not.toContain(returnUrl[1]);
    expect([...returnUrl].every((c) => c > ' ' && c <= '~' && c !== '\\')).toBe(true);
  });

  it('uses window.location.assign when no navigate function is given', async () => {
    mockFetch({ '/bff/user': { status: 401 } });
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, pathname: '/', search: '', hash: '', assign });
    const user = userEvent.setup();
    render(<App />);

    await user.click(await screen.findByRole('button', { name: 'Sign in' }));

    expect(assign).toHaveBeenCalledWith('/bff/login?returnUrl=%2F');
  });
});

describe('App: signed in', () => {
  it('shows the user name and the session time left', async () => {
    mockFetch({ '/bff/user': { body: claims({ 'bff:session_expires_in': 3725 }) } });
    renderApp();

    expect(await screen.findByTestId('user-name')).toHaveTextContent(/^Alice Smith$/);
    expect(screen.getByText(/Signed in as/)).toHaveTextContent('Signed in as Alice Smith');
    expect(screen.getByTestId('session-expires')).toHaveTextContent(/^1:02:0[45]$/);
    expect(screen.queryByTestId('sign-in')).not.toBeInTheDocument();
  });

  it('falls back to the subject id when there is no name claim', async () => {
    mockFetch({ '/bff/user': { body: claims().filter((c) => c.type !== 'name') } });
    renderApp();

    expect(await screen.findByTestId('user-name')).toHaveTextContent(/^818727$/);
  });

  it('signs out through the logout URL the BFF gave', async () => {
    mockFetch({ '/bff/user': { body: claims({ 'bff:logout_url': '/bff/logout?sid=xyz' }) } });
    const { navigate, user } = renderApp();

    const signOut = await screen.findByRole('button', { name: 'Sign out' });
    expect(signOut).toHaveAttribute('data-testid', 'sign-out');
    await user.click(signOut);

    expect(navigate).toHaveBeenCalledTimes(1);
    expect(navigate).toHaveBeenCalledWith('/bff/logout?sid=xyz&returnUrl=%2F');
  });

  it('calls the API and shows the result and the subject', async () => {
    const { callsTo } = mockFetch({
      '/bff/user': { body: claims() },
      '/api/whoami': { body: whoami },
    });
    const { user } = renderApp();

    await user.click(await screen.findByRole('button', { name: 'Call API' }));

    expect(await screen.findByTestId('api-sub')).toHaveTextContent(/^818727$/);
    const result = screen.getByTestId('api-result');
    expect(result.tagName).toBe('PRE');
    expect(JSON.parse(result.textContent ?? '')).toEqual(whoami);

    const [[, init]] = callsTo('/api/whoami');
    expect(new Headers(init?.headers).get('X-CSRF')).toBe('1');
    expect(init?.credentials).toBe('same-origin');
  });

  it('ends the session once on a 401 from the API, without calling /bff/user again', async () => {
    const { fetchMock, callsTo } = mockFetch({
      '/bff/user': [{ body: claims() }, { status: 401 }],
      '/api/whoami': {
        status: 401,
        body: {
          type: 'https://httpstatuses.io/401',
          title: 'Unauthorized',
          status: 401,
          detail: 'The refresh token was rejected.',
          code: 'session_ended',
        },
      },
    });
    const { navigate, user } = renderApp();

    await user.click(await screen.findByTestId('call-api'));

    const ended = await screen.findByTestId('session-ended');
    expect(ended).toHaveTextContent('Your session has ended. Please sign in again.');
    expect(within(ended).getByText('The refresh token was rejected.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByTestId('user-name')).not.toBeInTheDocument();
    expect(screen.queryByTestId('call-api')).not.toBeInTheDocument();

    // Give any stray effect a chance to run before counting.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));

    expect(screen.getAllByTestId('session-ended')).toHaveLength(1);
    expect(screen.getAllByText('Your session has ended. Please sign in again.')).toHaveLength(1);
    expect(callsTo('/bff/user')).toHaveLength(1);
    expect(callsTo('/api/whoami')).toHaveLength(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('shows the message without a detail line when the 401 has none', async () => {
    mockFetch({
      '/bff/user': { body: claims() },
      '/api/whoami': { status: 401, body: { title: 'Unauthorized', status: 401, code: 'not_authenticated' } },
    });
    const { user } = renderApp();

    await user.click(await screen.findByTestId('call-api'));

    expect(await screen.findByTestId('session-ended')).toHaveTextContent(
      /^Your session has ended\. Please sign in again\.$/,
    );
    expect(screen.queryByTestId('session-ended-detail')).not.toBeInTheDocument();
  });

  it('shows other errors and keeps the user signed in', async () => {
    const { callsTo } = mockFetch({
      '/bff/user': { body: claims() },
      '/api/whoami': [
        { status: 503, body: { title: 'Service Unavailable', status: 503, detail: 'The API is down.' } },
        { body: whoami },
      ],
    });
    const { user } = renderApp();

    await user.click(await screen.findByTestId('call-api'));

    expect(await screen.findByTestId('api-error')).toHaveTextContent('Service Unavailable');
    expect(screen.getByText('The API is down.')).toBeInTheDocument();
    expect(screen.getByTestId('user-name')).toHaveTextContent('Alice Smith');
    expect(screen.queryByTestId('session-ended')).not.toBeInTheDocument();
    expect(screen.queryByTestId('sign-in')).not.toBeInTheDocument();
    expect(callsTo('/bff/user')).toHaveLength(1);

    // The next call succeeds and replaces the error.
    await user.click(screen.getByTestId('call-api'));
    expect(await screen.findByTestId('api-sub')).toHaveTextContent('818727');
    expect(screen.queryByTestId('api-error')).not.toBeInTheDocument();
  });

  it('shows a readable error when a problem body has fields of another shape (FastAPI\'s 422)', async () => {
    mockFetch({
      '/bff/user': { body: claims() },
      '/api/whoami': { status: 422, body: { detail: [{ loc: [], msg: 'x' }] }, contentType: 'application/json' },
    });
    const { user } = renderApp();

    await user.click(await screen.findByTestId('call-api'));

    expect(await screen.findByRole('alert')).toHaveTextContent('Request failed with status 422');
    expect(screen.getByTestId('user-name')).toBeInTheDocument();
  });

  it('shows a plain status error when the error body is not JSON', async () => {
    mockFetch({
      '/bff/user': { body: claims() },
      '/api/whoami': { status: 502, body: 'oops', contentType: 'text/plain' },
    });
    const { user } = renderApp();

    await user.click(await screen.findByTestId('call-api'));

    expect(await screen.findByTestId('api-error')).toHaveTextContent(/502|Bad Gateway/);
    expect(screen.getByTestId('user-name')).toBeInTheDocument();
  });
});

describe('App: session countdown', () => {
  it('counts down and re-checks the session once when it runs out', async () => {
    vi.useFakeTimers();
    const { callsTo } = mockFetch({
      '/bff/user': [{ body: claims({ 'bff:session_expires_in': '3' }) }, { status: 401 }],
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));

    expect(screen.getByTestId('session-expires')).toHaveTextContent('00:03');
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(screen.getByTestId('session-expires')).toHaveTextContent('00:02');
    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(screen.getByTestId('session-expires')).toHaveTextContent('00:00');
    expect(callsTo('/bff/user')).toHaveLength(1);

    // After a short grace period the BFF is asked again; it says 401.
    await act(() => vi.advanceTimersByTimeAsync(1500));
    expect(screen.getByTestId('session-ended')).toHaveTextContent('Your session has ended. Please sign in again.');
    expect(screen.getByTestId('sign-in')).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(callsTo('/bff/user')).toHaveLength(2);
    expect(screen.getAllByTestId('session-ended')).toHaveLength(1);
  });

  it('keeps going when the re-check finds the session was extended', async () => {
    vi.useFakeTimers();
    const { callsTo } = mockFetch({
      '/bff/user': [{ body: claims({ 'bff:session_expires_in': 2 }) }, { body: claims({ 'bff:session_expires_in': 600 }) }],
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByTestId('session-expires')).toHaveTextContent('00:02');

    await act(() => vi.advanceTimersByTimeAsync(3500));
    expect(callsTo('/bff/user')).toHaveLength(2);
    expect(screen.getByTestId('session-expires')).toHaveTextContent(/^(10:00|09:59)$/);
    expect(screen.getByTestId('user-name')).toBeInTheDocument();
    expect(screen.queryByTestId('session-ended')).not.toBeInTheDocument();
  });

  it('waits out a session longer than the longest timer without re-checking', async () => {
    vi.useFakeTimers();
    const thirtyDays = String(30 * 86_400);
    const { callsTo } = mockFetch({
      '/bff/user': { body: claims({ 'bff:session_expires_in': thirtyDays }), headers: { 'Bff-Session-Expires-In': thirtyDays } },
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    for (let second = 0; second < 10; second++) {
      await act(() => vi.advanceTimersByTimeAsync(1000));
    }

    expect(callsTo('/bff/user')).toHaveLength(1);
    expect(screen.getByTestId('session-expires')).toHaveTextContent(/^719:59:5\d$/);
  });

  it('re-checks until the server answers: after a 503 it waits Retry-After, then a 401 signs out', async () => {
    vi.useFakeTimers();
    const { callsTo } = mockFetch({
      '/bff/user': [
        { body: claims({ 'bff:session_expires_in': 5 }) },
        { status: 503, body: { title: 'Session store unavailable', code: 'session_store_unavailable' }, headers: { 'Retry-After': '2' } },
        { status: 401, body: { title: 'Session ended', code: 'session_ended', detail: 'Your session timed out after a period of inactivity.' } },
      ],
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));

    // Ends at 5 s; the re-check a second later finds the store down.
    await act(() => vi.advanceTimersByTimeAsync(6_100));
    expect(callsTo('/bff/user')).toHaveLength(2);
    expect(screen.getByTestId('user-name')).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(1_800));
    expect(callsTo('/bff/user')).toHaveLength(2);

    await act(() => vi.advanceTimersByTimeAsync(300));
    expect(callsTo('/bff/user')).toHaveLength(3);
    expect(screen.getByTestId('session-ended-detail')).toHaveTextContent('timed out');
    expect(screen.getByTestId('sign-in')).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(120_000));
    expect(callsTo('/bff/user')).toHaveLength(3);
  });

  it('re-checks after a growing pause while the server cannot be reached', async () => {
    vi.useFakeTimers();
    let calls = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        calls += 1;
        if (calls === 1) return Response.json(claims({ 'bff:session_expires_in': 2 }));
        if (calls <= 3) throw new TypeError('Failed to fetch');
        return Response.json(claims({ 'bff:session_expires_in': 600 }));
      }),
    );
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(calls).toBe(2);

    // Ended at 2 s, checked at 3 s; retried 2 s later, then 4 s after that.
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(calls).toBe(3);
    await act(() => vi.advanceTimersByTimeAsync(3_800));
    expect(calls).toBe(3);
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(calls).toBe(4);
    expect(screen.getByTestId('session-expires')).toHaveTextContent(/^(10:00|09:59)$/);

    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(calls).toBe(4);
  });

  it('does not re-check in a loop when the BFF reports no time left', async () => {
    vi.useFakeTimers();
    const { callsTo } = mockFetch({ '/bff/user': { body: claims({ 'bff:session_expires_in': 0 }) } });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(10_000));

    expect(screen.getByTestId('session-expires')).toHaveTextContent('00:00');
    expect(callsTo('/bff/user')).toHaveLength(1);
  });
});

describe('App: failures and the app-level API', () => {
  it('offers to try again when /bff/user fails with something other than 401', async () => {
    mockFetch({
      '/bff/user': [{ status: 503, body: { title: 'Service Unavailable', status: 503 } }, { body: claims() }],
    });
    const { user } = renderApp();

    expect(await screen.findByTestId('session-error')).toHaveTextContent('Service Unavailable');
    await user.click(screen.getByRole('button', { name: 'Try again' }));

    expect(await screen.findByTestId('user-name')).toHaveTextContent('Alice Smith');
  });

  it('calls the API as the app while signed out and shows an error such as 404', async () => {
    const { callsTo } = mockFetch({ '/bff/user': { status: 401 } });
    const { user } = renderApp();

    await user.click(await screen.findByRole('button', { name: 'Call API as the app' }));

    expect(await screen.findByTestId('public-api-error')).toHaveTextContent('Not Found');
    expect(new Headers(callsTo('/public-api/whoami')[0][1]?.headers).get('X-CSRF')).toBe('1');
  });

  it('shows the app-level result, and its 401 does not end the user session', async () => {
    mockFetch({
      '/bff/user': { body: claims() },
      '/public-api/whoami': [
        { body: { client_id: 'bff', scope: 'api', aud: 'api' } },
        { status: 401, body: { title: 'Unauthorized', status: 401 } },
      ],
    });
    const { user } = renderApp();

    const button = await screen.findByTestId('call-public-api');
    await user.click(button);
    expect(JSON.parse((await screen.findByTestId('public-api-result')).textContent ?? '')).toEqual({
      client_id: 'bff',
      scope: 'api',
      aud: 'api',
    });

    await user.click(button);
    expect(await screen.findByTestId('public-api-error')).toHaveTextContent('Unauthorized');
    await waitFor(() => expect(screen.getByTestId('user-name')).toBeInTheDocument());
    expect(screen.queryByTestId('session-ended')).not.toBeInTheDocument();
  });
});

describe('App: the Sessions page', () => {
  function at(pathname: string) {
    vi.stubGlobal('location', { ...window.location, pathname, search: '', hash: '', assign: vi.fn() });
  }

  it('links to the Sessions page from the session panel', async () => {
    mockFetch({ '/bff/user': { body: claims() } });
    renderApp();

    expect(await screen.findByTestId('manage-sessions')).toHaveAttribute('href', '/sessions');
  });

  it('shows the devices at /sessions, and after "Sign out everywhere" says so once without a redirect', async () => {
    at('/sessions');
    const { callsTo } = mockFetch({
      '/bff/user': { body: claims() },
      '/bff/sessions': (init) =>
        init?.method === 'DELETE'
          ? { status: 204 }
          : {
              body: [
                {
                  id: 'a',
                  current: true,
                  device: 'Chrome on Linux',
                  createdAt: '2030-01-01T09:00:00Z',
                  lastActivityAt: '2030-01-01T09:00:00Z',
                  expiresAt: '2030-01-01T09:15:00Z',
                },
              ],
            },
      '/bff/sessions/events': { body: [] },
    });
    const { navigate, user } = renderApp();

    expect(await screen.findByTestId('session-device')).toHaveTextContent('Chrome on Linux');
    expect(screen.queryByTestId('manage-sessions')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('sign-out-everywhere'));
    await user.click(screen.getByTestId('confirm-yes'));

    const ended = await screen.findByTestId('session-ended');
    expect(ended).toHaveTextContent('You signed out everywhere.');
    expect(screen.getByTestId('sign-in')).toBeInTheDocument();
    expect(navigate).not.toHaveBeenCalled();
    expect(callsTo('/bff/user')).toHaveLength(1);
  });

  it('says so when /bff/sessions answers with a page instead of a list', async () => {
    at('/sessions');
    mockFetch({
      '/bff/user': { body: claims() },
      '/bff/sessions': { body: '<!doctype html><title>BFF Demo</title>', contentType: 'text/html' },
      '/bff/sessions/events': { body: { events: [] } },
    });
    renderApp();

    expect(await screen.findByTestId('sessions-error')).toHaveTextContent('The server sent an answer this page cannot read.');
    expect(screen.getByTestId('user-name')).toBeInTheDocument();
  });

  it('shows a readable message with a reload button when a page cannot render what it got', async () => {
    at('/sessions');
    const reload = vi.fn();
    vi.stubGlobal('location', { ...window.location, pathname: '/sessions', search: '', hash: '', reload });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    mockFetch({
      '/bff/user': { body: claims() },
      '/bff/sessions': { body: [{ id: 'a', current: true, device: { name: 'Chrome' }, createdAt: '', lastActivityAt: '', expiresAt: '' }] },
      '/bff/sessions/events': { body: [] },
    });
    const { user } = renderApp();

    expect(await screen.findByTestId('app-error')).toHaveTextContent('This page ran into an error');
    expect(screen.getByRole('heading', { level: 1, name: 'BFF Demo' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reload' }));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('says why when this session was ended from another device', async () => {
    at('/sessions');
    mockFetch({
      '/bff/user': { body: claims() },
      '/bff/sessions': {
        status: 401,
        body: { title: 'Session ended', code: 'session_ended', detail: 'This session was signed out from another of your sessions.' },
      },
      '/bff/sessions/events': { status: 401, body: { title: 'Not signed in', code: 'not_authenticated' } },
    });
    renderApp();

    const ended = await screen.findByTestId('session-ended');
    expect(ended).toHaveTextContent('Your session has ended. Please sign in again.');
    expect(screen.getByTestId('session-ended-detail')).toHaveTextContent('signed out from another of your sessions');
    expect(screen.getAllByTestId('session-ended')).toHaveLength(1);
  });
});

describe('App: the idle timer follows the server', () => {
  it('takes the expiry from the header of every call, so an API call slides the countdown', async () => {
    vi.useFakeTimers();
    mockFetch({
      '/bff/user': { body: claims({ 'bff:session_expires_in': 600 }), headers: { 'Bff-Session-Expires-In': '600' } },
      '/api/whoami': { body: whoami, headers: { 'Bff-Session-Expires-In': '600' } },
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));

    await act(() => vi.advanceTimersByTimeAsync(300_000));
    expect(screen.getByTestId('session-expires')).toHaveTextContent('05:00');

    await act(async () => {
      screen.getByTestId('call-api').click();
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(screen.getByTestId('session-expires')).toHaveTextContent(/^(10:00|09:59)$/);
  });

  it('warns a minute before the end; Stay signed in slides it; at the end it shows signed out', async () => {
    vi.useFakeTimers();
    const { callsTo } = mockFetch({
      '/bff/user': [
        { body: claims({ 'bff:session_expires_in': 90 }), headers: { 'Bff-Session-Expires-In': '90' } },
        { body: claims({ 'bff:session_expires_in': 90 }), headers: { 'Bff-Session-Expires-In': '90' } },
        {
          status: 401,
          body: { title: 'Session ended', code: 'session_ended', detail: 'Your session timed out after a period of inactivity.' },
        },
      ],
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.queryByTestId('idle-warning')).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(31_000));
    expect(screen.getByTestId('idle-warning')).toHaveTextContent('You will be signed out in 00:59');

    await act(async () => {
      screen.getByTestId('stay-signed-in').click();
      await vi.advanceTimersByTimeAsync(10);
    });
    // "Stay signed in" counts as activity: the call slides the session.
    expect(callsTo('/bff/user').map(([url]) => url)).toEqual(['/bff/user', '/bff/user']);
    expect(screen.queryByTestId('idle-warning')).not.toBeInTheDocument();
    expect(screen.getByTestId('session-expires')).toHaveTextContent(/^(01:30|01:29)$/);

    await act(() => vi.advanceTimersByTimeAsync(92_000));
    expect(screen.getByTestId('session-ended-detail')).toHaveTextContent('timed out');
    expect(screen.getByTestId('sign-in')).toBeInTheDocument();
    expect(callsTo('/bff/user').at(-1)?.[0]).toBe('/bff/user?slide=false');
  });
});

describe('App: Stay signed in', () => {
  it('says so when the call fails, and keeps the user signed in', async () => {
    vi.useFakeTimers();
    mockFetch({
      '/bff/user': [
        { body: claims({ 'bff:session_expires_in': 50 }) },
        { status: 503, body: { title: 'Session store unavailable', code: 'session_store_unavailable' }, headers: { 'Retry-After': '5' } },
      ],
    });
    render(<App navigate={vi.fn()} />);
    await act(() => vi.advanceTimersByTimeAsync(0));

    await act(async () => {
      screen.getByTestId('stay-signed-in').click();
      await vi.advanceTimersByTimeAsync(10);
    });

    expect(screen.getByTestId('stay-error')).toHaveTextContent('Session store unavailable');
    expect(screen.getByTestId('user-name')).toBeInTheDocument();
  });
});

describe('App: pages', () => {
  function at(pathname: string) {
    vi.stubGlobal('location', { ...window.location, pathname, search: '', hash: '', assign: vi.fn() });
  }

  it.each([
    ['/', 'Home · BFF Demo'],
    ['/sessions', 'Your sessions · BFF Demo'],
    ['/sessions/', 'Your sessions · BFF Demo'],
    ['/no/such/page', 'Page not found · BFF Demo'],
  ])('%s has the title %s', async (path, title) => {
    at(path);
    mockFetch({ '/bff/user': { status: 401 }, '/bff/sessions': { body: [] }, '/bff/sessions/events': { body: [] } });
    renderApp();

    await waitFor(() => expect(document.title).toBe(title));
  });

  it('shows a not-found page for an unknown route, with a way back', async () => {
    at('/settings');
    mockFetch({ '/bff/user': { body: claims() } });
    renderApp();

    expect(await screen.findByRole('heading', { level: 2, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
  });
});
