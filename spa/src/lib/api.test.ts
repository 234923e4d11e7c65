import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../testing/fetch';
import { api, ApiError, onSessionExpiry, onUnauthorized } from './api';

const unsubscribers: Array<() => void> = [];
afterEach(() => {
  unsubscribers.splice(0).forEach((off) => off());
});

function listen() {
  const listener = vi.fn();
  unsubscribers.push(onUnauthorized(listener));
  return listener;
}

describe('api client', () => {
  it('sends the CSRF header and the cookie, and parses JSON', async () => {
    const { fetchMock } = mockFetch({ '/api/thing': { body: { ok: true } } });

    await expect(api.get('/api/thing')).resolves.toEqual({ ok: true });

    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/thing');
    expect(init?.method).toBe('GET');
    expect(init?.credentials).toBe('same-origin');
    const headers = new Headers(init?.headers);
    expect(headers.get('X-CSRF')).toBe('1');
    expect(headers.get('Accept')).toBe('application/json');
  });

  it('keeps caller headers but always sets X-CSRF', async () => {
    const { fetchMock } = mockFetch({ '/api/thing': { body: {} } });

    await api.get('/api/thing', { headers: { 'X-CSRF': '0', 'X-Extra': 'yes' } });

    const headers = new Headers(fetchMock.mock.calls[0][1]?.headers);
    expect(headers.get('X-CSRF')).toBe('1');
    expect(headers.get('X-Extra')).toBe('yes');
  });

  it('posts JSON', async () => {
    const { fetchMock } = mockFetch({ '/api/things': { status: 201, body: { id: 7 } } });

    await expect(api.post('/api/things', { name: 'x' })).resolves.toEqual({ id: 7 });

    const init = fetchMock.mock.calls[0][1];
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"name":"x"}');
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json');
    expect(new Headers(init?.headers).get('X-CSRF')).toBe('1');
  });

  it('turns problem+json into an ApiError', async () => {
    mockFetch({
      '/api/thing': { status: 503, body: { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'later' } },
    });
    const listener = listen();

    const error = await api.get('/api/thing').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 503,
      url: '/api/thing',
      problem: { title: 'Service Unavailable', detail: 'later' },
      displayMessage: 'Service Unavailable',
    });
    expect(listener).not.toHaveBeenCalled();
  });

  it('reports every session-bound 401 to the listeners, with the problem', async () => {
    mockFetch({ '/api/thing': { status: 401, body: { title: 'Unauthorized', code: 'session_expired' } } });
    const listener = listen();

    await expect(api.get('/api/thing')).rejects.toMatchObject({ status: 401 });

    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith({
      url: '/api/thing',
      problem: expect.objectContaining({ code: 'session_expired', status: 401 }),
    });
  });

  it('does not report a 401 from a call that is not session-bound', async () => {
    mockFetch({ '/public-api/thing': { status: 401 } });
    const listener = listen();

    await expect(api.get('/public-api/thing', { sessionBound: false })).rejects.toMatchObject({ status: 401 });
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops reporting after unsubscribing', async () => {
    mockFetch({ '/api/thing': { status: 401 } });
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    off();

    await expect(api.get('/api/thing')).rejects.toBeInstanceOf(ApiError);
    expect(listener).not.toHaveBeenCalled();
  });

  it('wraps network failures', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));

    await expect(api.get('/api/thing')).rejects.toMatchObject({
      status: 0,
      problem: { title: 'The server could not be reached.', detail: 'Failed to fetch' },
    });
  });

  it('returns undefined for 204 and text for non-JSON bodies', async () => {
    mockFetch({
      '/api/empty': { status: 204 },
      '/api/text': { body: 'hello', contentType: 'text/plain' },
    });

    await expect(api.get('/api/empty')).resolves.toBeUndefined();
    await expect(api.get('/api/text')).resolves.toBe('hello');
  });

  it('reports the session expiry header of successful and failed calls, and ignores nonsense', async () => {
    mockFetch({
      '/api/ok': { body: {}, headers: { 'Bff-Session-Expires-In': '599' } },
      '/api/fail': { status: 503, headers: { 'Bff-Session-Expires-In': '42' } },
      '/api/none': { body: {} },
      '/api/bad': { body: {}, headers: { 'Bff-Session-Expires-In': 'soon' } },
      '/api/negative': { body: {}, headers: { 'Bff-Session-Expires-In': '-5' } },
    });
    const seen = vi.fn();
    unsubscribers.push(onSessionExpiry(seen));

    await api.get('/api/ok');
    await api.get('/api/fail').catch(() => undefined);
    await api.get('/api/none');
    await api.get('/api/bad');
    await api.get('/api/negative');

    expect(seen.mock.calls).toEqual([[599], [42]]);
  });
});
