import { vi } from 'vitest';

export interface MockReply {
  status?: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

type Handler = MockReply | ((init: RequestInit | undefined, callIndex: number) => MockReply);

/**
 * Replaces `fetch` with a table of replies keyed by path. Each path may map
 * to one reply, a function, or a list used in order (the last one repeats).
 * Unknown paths answer 404 problem+json.
 */
export function mockFetch(routes: Record<string, Handler | Handler[]>) {
  const counts = new Map<string, number>();

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url, 'http://localhost').pathname;
    const index = counts.get(path) ?? 0;
    counts.set(path, index + 1);

    const entry = routes[path];
    const handler = Array.isArray(entry) ? entry[Math.min(index, entry.length - 1)] : entry;
    const reply: MockReply =
      handler === undefined
        ? { status: 404, body: { title: 'Not Found', status: 404 }, contentType: 'application/problem+json' }
        : typeof handler === 'function'
          ? handler(init, index)
          : handler;

    const status = reply.status ?? 200;
    const contentType =
      reply.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
    const body =
      reply.body === undefined ? null : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(body, {
      status,
      headers: { 'Content-Type': contentType, ...reply.headers },
    });
  });

  vi.stubGlobal('fetch', fetchMock);

  const callsTo = (path: string) =>
    fetchMock.mock.calls.filter(([input]) => new URL(String(input), 'http://localhost').pathname === path);

  return { fetchMock, callsTo };
}

export const claims = (overrides: Record<string, string | number> = {}) =>
  Object.entries({
    sub: '818727',
    name: 'Alice Smith',
    email: 'alice@example.com',
    sid: 'abc',
    'bff:session_expires_in': '3600',
    'bff:logout_url': '/bff/logout?sid=abc',
    ...overrides,
  }).map(([type, value]) => ({ type, value }));
