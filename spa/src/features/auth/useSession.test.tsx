import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { api } from '../../lib/api';
import { claims, mockFetch } from '../../testing/fetch';
import type { TabChannel, TabMessage } from '../../lib/tabs';
import { SIGNED_OUT_IN_OTHER_TAB, useSession } from './useSession';

/** Tabs of one browser, in memory: what one posts, the others receive (not itself). */
function fakeTabs() {
  const tabs = new Set<{ receive: (message: TabMessage) => void }>();
  const posted: TabMessage[] = [];
  const open = (receive: (message: TabMessage) => void): TabChannel => {
    const tab = { receive };
    tabs.add(tab);
    return {
      post: (message) => {
        posted.push(message);
        for (const other of [...tabs]) if (other !== tab) other.receive(message);
      },
      close: () => {
        tabs.delete(tab);
      },
    };
  };
  return { open, posted };
}

describe('useSession', () => {
  it('loads the user from /bff/user', async () => {
    mockFetch({ '/bff/user': { body: claims({ 'bff:session_expires_in': 60 }) } });
    const before = Date.now();
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));

    expect(result.current.state.status).toBe('loading');
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    const state = result.current.state;
    if (state.status !== 'authenticated') throw new Error('not signed in');
    expect(state.user.displayName).toBe('Alice Smith');
    expect(state.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(state.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('is anonymous without a message when the first /bff/user call is a 401', async () => {
    mockFetch({ '/bff/user': { status: 401, body: { title: 'Unauthorized', detail: 'no cookie' } } });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));

    await waitFor(() => expect(result.current.state.status).toBe('anonymous'));
    expect(result.current.state).toEqual({ status: 'anonymous' });
  });

  it('tells why when the first /bff/user call says the session ended', async () => {
    mockFetch({
      '/bff/user': {
        status: 401,
        body: { title: 'Session ended', code: 'session_ended', detail: 'This session was signed out from another of your sessions.' },
      },
    });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));

    await waitFor(() => expect(result.current.state.status).toBe('anonymous'));
    expect(result.current.state).toEqual({
      status: 'anonymous',
      ended: { detail: 'This session was signed out from another of your sessions.', code: 'session_ended' },
    });
  });

  it('re-checks without sliding the session, and the first load slides it', async () => {
    const { callsTo } = mockFetch({ '/bff/user': { body: claims() } });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    await act(() => result.current.refresh());

    expect(callsTo('/bff/user').map(([url]) => url)).toEqual(['/bff/user', '/bff/user?slide=false']);
  });

  it('can be ended by the app itself with a reason', async () => {
    mockFetch({ '/bff/user': { body: claims() } });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    act(() => result.current.ended({ detail: 'You signed out everywhere.' }));

    expect(result.current.state).toEqual({ status: 'anonymous', ended: { detail: 'You signed out everywhere.' } });
  });

  it('handles several 401s arriving together exactly once', async () => {
    const { callsTo } = mockFetch({
      '/bff/user': { body: claims() },
      '/api/a': { status: 401, body: { title: 'Unauthorized', detail: 'first', code: 'session_ended' } },
      '/api/b': { status: 401, body: { title: 'Unauthorized', detail: 'second', code: 'not_authenticated' } },
    });
    const renders = vi.fn();
    const { result } = renderHook(() => {
      const session = useSession({ navigate: vi.fn() });
      renders(session.state);
      return session;
    });
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    await act(async () => {
      await Promise.allSettled([api.get('/api/a'), api.get('/api/b')]);
    });

    expect(result.current.state).toEqual({
      status: 'anonymous',
      ended: { detail: 'first', code: 'session_ended' },
    });
    const endedStates = renders.mock.calls.map(([s]) => s).filter((s) => s.status === 'anonymous');
    expect(new Set(endedStates).size).toBe(1);
    expect(callsTo('/bff/user')).toHaveLength(1);
  });

  it('keeps the session, and tells no other tab, when the API behind the BFF answers 401', async () => {
    mockFetch({ '/bff/user': { body: claims() }, '/api/orders': { status: 401 } });
    const tabs = fakeTabs();
    const { result } = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));
    const postedBefore = tabs.posted.length;

    await act(async () => {
      await expect(api.get('/api/orders')).rejects.toMatchObject({ status: 401 });
    });

    expect(result.current.state.status).toBe('authenticated');
    expect(tabs.posted.slice(postedBefore)).toEqual([]);
  });

  it('uses the problem title when a 401 has no detail, unless it is the generic one', async () => {
    mockFetch({
      '/bff/user': { body: claims() },
      '/bff/sessions': { status: 401, body: { title: 'Your session expired', status: 401 } },
    });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    await act(async () => {
      await api.get('/bff/sessions').catch(() => undefined);
    });

    expect(result.current.state).toEqual({ status: 'anonymous', ended: { detail: 'Your session expired' } });
  });

  it('keeps the session when a background re-check fails with a non-401 error', async () => {
    mockFetch({
      '/bff/user': [{ body: claims() }, { status: 503, body: { title: 'Service Unavailable' } }],
    });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    await act(() => result.current.refresh());

    expect(result.current.state.status).toBe('authenticated');
  });

  it('stops re-checking once unmounted, even with a check still waiting for its answer', async () => {
    const { callsTo } = mockFetch({
      '/bff/user': [{ body: claims() }, { status: 503, body: { title: 'Service Unavailable' }, headers: { 'Retry-After': '1' } }],
    });
    const { result, unmount } = renderHook(() => useSession({ navigate: vi.fn() }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    vi.useFakeTimers();
    try {
      const checking = result.current.refresh();
      unmount();
      await checking;
      const calls = callsTo('/bff/user').length;
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(callsTo('/bff/user')).toHaveLength(calls);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does nothing on sign out while not signed in', async () => {
    mockFetch({ '/bff/user': { status: 401 } });
    const navigate = vi.fn();
    const { result } = renderHook(() => useSession({ navigate }));
    await waitFor(() => expect(result.current.state.status).toBe('anonymous'));

    act(() => result.current.signOut());

    expect(navigate).not.toHaveBeenCalled();
  });

  it('signing out in one tab signs out the others', async () => {
    mockFetch({ '/bff/user': { body: claims() } });
    const tabs = fakeTabs();
    const navigate = vi.fn();
    const first = renderHook(() => useSession({ navigate, openChannel: tabs.open }));
    const second = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    await waitFor(() => expect(first.result.current.state.status).toBe('authenticated'));
    await waitFor(() => expect(second.result.current.state.status).toBe('authenticated'));

    act(() => first.result.current.signOut());

    expect(navigate).toHaveBeenCalledWith('/bff/logout?sid=abc&returnUrl=%2F');
    expect(second.result.current.state).toEqual({ status: 'anonymous', ended: { detail: SIGNED_OUT_IN_OTHER_TAB } });
  });

  it('a session that ends in one tab ends in the others, with the same reason, told once', async () => {
    mockFetch({
      '/bff/user': { body: claims() },
      '/api/a': { status: 401, body: { title: 'Session ended', code: 'session_ended', detail: 'Signed out from another device.' } },
    });
    const tabs = fakeTabs();
    const first = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    const second = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    await waitFor(() => expect(second.result.current.state.status).toBe('authenticated'));

    await act(async () => {
      await api.get('/api/a').catch(() => undefined);
    });

    expect(first.result.current.state).toMatchObject({ status: 'anonymous', ended: { detail: 'Signed out from another device.' } });
    expect(second.result.current.state).toEqual({ status: 'anonymous', ended: { detail: 'Signed out from another device.' } });
    expect(tabs.posted.filter((m) => m.type === 'signed-out')).toHaveLength(1);
  });

  it('a tab that signed in makes signed-out tabs look again', async () => {
    const { callsTo } = mockFetch({ '/bff/user': [{ status: 401 }, { body: claims() }] });
    const tabs = fakeTabs();
    const stale = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    await waitFor(() => expect(stale.result.current.state.status).toBe('anonymous'));

    act(() => tabs.open(() => undefined).post({ type: 'signed-in' }));

    await waitFor(() => expect(stale.result.current.state.status).toBe('authenticated'));
    expect(callsTo('/bff/user').at(-1)?.[0]).toBe('/bff/user?slide=false');
  });

  it('shares the expiry the server reports with the other tabs', async () => {
    mockFetch({
      '/bff/user': { body: claims({ 'bff:session_expires_in': 600 }) },
      '/api/a': { body: {}, headers: { 'Bff-Session-Expires-In': '300' } },
    });
    const tabs = fakeTabs();
    const first = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    const second = renderHook(() => useSession({ navigate: vi.fn(), openChannel: tabs.open }));
    await waitFor(() => expect(second.result.current.state.status).toBe('authenticated'));

    await act(() => api.get('/api/a'));

    const expiry = (s: typeof first.result.current.state) => (s.status === 'authenticated' ? s.expiresAt : undefined);
    const expected = Date.now() + 300_000;
    expect(Math.abs((expiry(first.result.current.state) ?? 0) - expected)).toBeLessThan(2000);
    expect(expiry(second.result.current.state)).toBe(expiry(first.result.current.state));
  });

  it('re-checks without sliding when the tab comes back into view, at most once for focus and visibility together', async () => {
    const { callsTo } = mockFetch({
      '/bff/user': [
        { body: claims() },
        { status: 401, body: { title: 'Session ended', code: 'session_ended', detail: 'Signed out everywhere.' } },
      ],
    });
    const { result } = renderHook(() => useSession({ navigate: vi.fn() }));
    await waitFor(() => expect(result.current.state.status).toBe('authenticated'));

    await act(async () => {
      document.dispatchEvent(new Event('visibilitychange'));
      window.dispatchEvent(new Event('focus'));
    });

    await waitFor(() => expect(result.current.state).toEqual({ status: 'anonymous', ended: { detail: 'Signed out everywhere.', code: 'session_ended' } }));
    expect(callsTo('/bff/user').map(([url]) => url)).toEqual(['/bff/user', '/bff/user?slide=false']);
  });
});
