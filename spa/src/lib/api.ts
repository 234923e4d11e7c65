/**
 * The one HTTP client of the app.
 *
 * Every request goes to the app's own origin, carries the anti-forgery
 * header the BFF expects (`X-CSRF: 1`) and sends the session cookie
 * (`credentials: 'same-origin'`). The browser never sees a token.
 *
 * A 401 of the BFF's own means it no longer has a session for this browser.
 * Instead of letting every caller deal with that, the client announces it to
 * `onUnauthorized` listeners (the session hook is the only one) and then
 * rejects the call with an `ApiError` like any other failure. A 401 the API
 * behind the BFF sent (passed through by its proxy) is just a failed call.
 */

/** RFC 9457 problem details, as returned by the BFF and the APIs behind it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly url: string;
  /** How long the server asked the caller to wait before trying again (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(status: number, problem: Problem, url: string, retryAfterMs?: number) {
    super(problem.title ?? (status ? `Request failed with status ${status}` : 'Request failed'));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.url = url;
    this.retryAfterMs = retryAfterMs;
  }

  /** The most useful single line to show a person. */
  get displayMessage(): string {
    return this.problem.title ?? this.message;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Any failure as an ApiError, so every screen shows failures one way. */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  return new ApiError(0, { title: error instanceof Error ? error.message : 'Request failed' }, '');
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export interface UnauthorizedEvent {
  url: string;
  problem: Problem;
}

type UnauthorizedListener = (event: UnauthorizedEvent) => void;

const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Subscribes to the BFF's own 401 responses. Returns the function that unsubscribes. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => {
    unauthorizedListeners.delete(listener);
  };
}

function emitUnauthorized(event: UnauthorizedEvent) {
  for (const listener of [...unauthorizedListeners]) {
    listener(event);
  }
}

/** The BFF's header on every answer to a call made with a live session: whole seconds until it ends. */
export const SESSION_EXPIRES_HEADER = 'Bff-Session-Expires-In';

type ExpiryListener = (secondsLeft: number) => void;

const expiryListeners = new Set<ExpiryListener>();

/**
 * Subscribes to the session expiry the BFF reports after each call (every call slides
 * its idle timer). Returns the function that unsubscribes.
 */
export function onSessionExpiry(listener: ExpiryListener): () => void {
  expiryListeners.add(listener);
  return () => {
    expiryListeners.delete(listener);
  };
}

function reportExpiry(response: Response) {
  const value = response.headers?.get(SESSION_EXPIRES_HEADER);
  if (value === null || value === undefined || value.trim() === '') return;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) return;
  for (const listener of [...expiryListeners]) {
    listener(seconds);
  }
}

export interface RequestOptions extends Omit<RequestInit, 'credentials'> {
  /**
   * Whether a 401 from this call means the user's session is over
   * (default `true`). Calls made with the app's own identity set this to
   * `false`: their 401 says nothing about the signed-in user.
   */
  sessionBound?: boolean;
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

/** The fields the app shows or acts on; any other shape (FastAPI's 422 has `detail` as an array) is left out. */
const TEXT_FIELDS = ['type', 'title', 'detail', 'code'] as const;

async function readProblem(response: Response): Promise<Problem> {
  const problem: Problem = {
    status: response.status,
    title: response.statusText || `Request failed with status ${response.status}`,
  };
  if (!isJson(response.headers.get('content-type'))) {
    return problem;
  }
  try {
    const body: unknown = await response.json();
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      const fields = body as Record<string, unknown>;
      for (const field of TEXT_FIELDS) {
        const value = fields[field];
        if (typeof value === 'string') problem[field] = value;
      }
    }
  } catch {
    // An unreadable error body is no reason to hide the status.
  }
  return problem;
}

/** `Retry-After` in milliseconds: whole seconds or an HTTP date. */
function readRetryAfter(response: Response): number | undefined {
  const value = response.headers.get('Retry-After')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The BFF's problem codes for "no session": the first after the session ended, then the plain one. */
const SESSION_GONE_CODES = new Set(['session_ended', 'not_authenticated']);

/**
 * Whether a 401 is the BFF's own, i.e. the session is gone. The API behind the BFF may answer 401 too (say, it
 * refuses the token for one resource): the proxy passes that on, and the session is as alive as before.
 */
function endsSession(url: string, problem: Problem): boolean {
  return url.startsWith('/bff/') || (problem.code !== undefined && SESSION_GONE_CODES.has(problem.code));
}

async function readBody<T>(response: Response): Promise<T> {
  if (response.status === 204) {
    return undefined as T;
  }
  if (isJson(response.headers.get('content-type'))) {
    return (await response.json()) as T;
  }
  return (await response.text()) as T;
}

export async function request<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const { sessionBound = true, headers: extraHeaders, ...init } = options;

  const headers = new Headers(extraHeaders);
  headers.set('X-CSRF', '1');
  if (!headers.has('Accept')) {
    headers.set('Accept', 'application/json');
  }

  let response: Response;
  try {
    response = await fetch(url, { ...init, headers, credentials: 'same-origin' });
  } catch (error) {
    if (isAbortError(error)) {
      throw error;
    }
    throw new ApiError(
      0,
      {
        title: 'The server could not be reached.',
        detail: error instanceof Error ? error.message : undefined,
      },
      url,
    );
  }

  reportExpiry(response);

  if (!response.ok) {
    const problem = await readProblem(response);
    if (response.status === 401 && sessionBound && endsSession(url, problem)) {
      emitUnauthorized({ url, problem });
    }
    throw new ApiError(response.status, problem, url, readRetryAfter(response));
  }

  return readBody<T>(response);
}

/**
 * GETs a JSON array. Anything else (an HTML page from a proxy or a fallback route, an object) is an ApiError, not
 * a crash further on; entries that are not objects are dropped.
 */
async function getList<T extends object>(url: string, options?: RequestOptions): Promise<T[]> {
  const body = await request<unknown>(url, { ...options, method: 'GET' });
  if (!Array.isArray(body)) {
    throw new ApiError(200, { title: 'The server sent an answer this page cannot read.' }, url);
  }
  return body.filter((entry): entry is T => entry !== null && typeof entry === 'object');
}

export const api = {
  request,
  get: <T>(url: string, options?: RequestOptions) => request<T>(url, { ...options, method: 'GET' }),
  getList,
  post: <T>(url: string, body?: unknown, options?: RequestOptions) =>
    request<T>(url, {
      ...options,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headersToObject(options?.headers) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
};

function headersToObject(headers: HeadersInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}
