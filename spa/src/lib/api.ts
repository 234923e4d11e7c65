/**
 * The one HTTP client of the app.
 *
 * Every request goes to the app's own origin, carries the anti-forgery
 * header the BFF expects (`X-CSRF: 1`) and sends the session cookie
 * (`credentials: 'same-origin'`). The browser never sees a token.
 *
 * A 401 means the BFF no longer has a session for this browser. Instead of
 * letting every caller deal with that, the client announces it to
 * `onUnauthorized` listeners (the session hook is the only one) and then
 * rejects the call with an `ApiError` like any other failure.
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

  constructor(status: number, problem: Problem, url: string) {
    super(problem.title ?? (status ? `Request failed with status ${status}` : 'Request failed'));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.url = url;
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

/** Subscribes to 401 responses. Returns the function that unsubscribes. */
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

async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = {
    status: response.status,
    title: response.statusText || `Request failed with status ${response.status}`,
  };
  if (!isJson(response.headers.get('content-type'))) {
    return fallback;
  }
  try {
    const body: unknown = await response.json();
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      return { ...fallback, ...(body as Problem) };
    }
  } catch {
    // An unreadable error body is no reason to hide the status.
  }
  return fallback;
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
    if (response.status === 401 && sessionBound) {
      emitUnauthorized({ url, problem });
    }
    throw new ApiError(response.status, problem, url);
  }

  return readBody<T>(response);
}

export const api = {
  request,
  get: <T>(url: string, options?: RequestOptions) => request<T>(url, { ...options, method: 'GET' }),
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
