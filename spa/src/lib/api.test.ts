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

  it('reports every session-bound 401 of the BFF to the listeners, with the problem', async () => {
    mockFetch({ '/api/thing': { status: 401, body: { title: 'Unauthorized', code: 'session_ended' } } });
    const listener = listen();

    await expect(api.get('/api/thing')).rejects.toMatchObject({ status: 401 });

    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith({
      url: '/api/thing',
      problem: expect.objectContaining({ code: 'session_ended', status: 401 }),
    });
  });

  it('does not report a 401 of the API behind the BFF, which carries no BFF code', async () => {
    mockFetch({
      '/api/empty': { status: 401 },
      '/api/other': { status: 401, body: { title: 'Unauthorized', code: 'token_scope' } },
      '/bff/user': { status: 401 },
    });
    const listener = listen();

    await expect(api.get('/api/empty')).rejects.toMatchObject({ status: 401 });
    await expect(api.get('/api/other')).rejects.toMatchObject({ status: 401 });
    expect(listener).not.toHaveBeenCalled();

    // The BFF's own endpoints speak for the session, whatever the body.
    await expect(api.get('/bff/user')).rejects.toMatchObject({ status: 401 });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps only string title, detail and code from a problem body', async () => {
    mockFetch({
      '/api/fastapi': { status: 422, body: { detail: [{ loc: [], msg: 'x' }], title: { en: 'Bad' }, code: 7 } },
      '/api/array': { status: 400, body: [{ msg: 'x' }] },
    });

    const fastapi = await api.get('/api/fastapi').catch((e: unknown) => e);
    expect(fastapi).toBeInstanceOf(ApiError);
    expect((fastapi as ApiError).problem).toEqual({ status: 422, title: 'Request failed with status 422' });
    expect((fastapi as ApiError).displayMessage).toBe('Request failed with status 422');
    await expect(api.get('/api/array')).rejects.toMatchObject({ problem: { status: 400, title: 'Request failed with status 400' } });
  });

  it('reads Retry-After as seconds or as a date', async () => {
    mockFetch({
      '/api/seconds': { status: 503, headers: { 'Retry-After': '10' } },
      '/api/date': { status: 429, headers: { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() } },
      '/api/none': { status: 503 },
    });

    await expect(api.get('/api/seconds')).rejects.toMatchObject({ retryAfterMs: 10_000 });
    const dated = (await api.get('/api/date').catch((e: unknown) => e)) as ApiError;
    expect(dated.retryAfterMs).toBeGreaterThan(28_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
    await expect(api.get('/api/none')).rejects.toMatchObject({ retryAfterMs: undefined });
  });

  it('lists only a JSON array, and fails readably on anything else', async () => {
    mockFetch({
      '/bff/list': { body: [{ id: 'a' }, null, 'x', { id: 'b' }] },
      '/bff/html': { body: '<!doctype html><p>app</p>', contentType: 'text/html' },
      '/bff/object': { body: { sessions: [] } },
    });

    await expect(api.getList('/bff/list')).resolves.toEqual([{ id: 'a' }, { id: 'b' }]);
    await expect(api.getList('/bff/html')).rejects.toMatchObject({ displayMessage: 'The server sent an answer this page cannot read.' });
    await expect(api.getList('/bff/object')).rejects.toBeInstanceOf(ApiError);
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
