import { api, type RequestOptions } from '../../lib/api';
import { isLocalUrl, toReturnUrl } from '../../lib/navigation';

/** One claim as returned by the BFF's user endpoint. */
export interface Claim {
  type: string;
  value: string | number | boolean;
}

export interface SessionUser {
  sub: string;
  /** What to call the user: the `name` claim, else the subject id. */
  displayName: string;
  email?: string;
  sid?: string;
  /** Seconds left in the BFF session when the claims were read. */
  expiresIn?: number;
  /** Local URL that ends the session (includes the session id). */
  logoutUrl: string;
  claims: Claim[];
}

export const USER_ENDPOINT = '/bff/user';
export const LOGIN_ENDPOINT = '/bff/login';
export const LOGOUT_ENDPOINT = '/bff/logout';

export interface FetchUserOptions extends RequestOptions {
  /** `false` asks the BFF not to count this call as activity (`?slide=false`). */
  slide?: boolean;
}

export function fetchUserClaims({ slide = true, ...options }: FetchUserOptions = {}): Promise<Claim[]> {
  return api.getList<Claim>(slide ? USER_ENDPOINT : `${USER_ENDPOINT}?slide=false`, options);
}

function claimValue(claims: Claim[], type: string): string | undefined {
  const claim = claims.find((c) => c.type === type);
  if (claim === undefined || claim.value === null || claim.value === undefined) {
    return undefined;
  }
  const value = String(claim.value).trim();
  return value === '' ? undefined : value;
}

export function toSessionUser(claims: Claim[]): SessionUser {
  const sub = claimValue(claims, 'sub') ?? '';
  const sid = claimValue(claims, 'sid');
  const expires = Number(claimValue(claims, 'bff:session_expires_in'));
  const logoutClaim = claimValue(claims, 'bff:logout_url');
  // Only same-origin paths are followed: never `//host` or `https://…`.
  const logoutUrl = logoutClaim !== undefined && isLocalUrl(logoutClaim)
    ? logoutClaim
    : sid
      ? `${LOGOUT_ENDPOINT}?sid=${encodeURIComponent(sid)}`
      : LOGOUT_ENDPOINT;

  return {
    sub,
    displayName: claimValue(claims, 'name') ?? sub,
    email: claimValue(claims, 'email'),
    sid,
    expiresIn: Number.isFinite(expires) ? expires : undefined,
    logoutUrl,
    claims,
  };
}

export function loginUrl(returnUrl: string): string {
  const target = toReturnUrl(returnUrl) ?? '/';
  return `${LOGIN_ENDPOINT}?returnUrl=${encodeURIComponent(target)}`;
}

export function logoutUrl(user: Pick<SessionUser, 'logoutUrl'>, returnUrl = '/'): string {
  const base = user.logoutUrl;
  if (/[?&]returnUrl=/i.test(base)) {
    return base;
  }
  const separator = base.includes('?') ? '&' : '?';
  const target = toReturnUrl(returnUrl) ?? '/';
  return `${base}${separator}returnUrl=${encodeURIComponent(target)}`;
}
