import { api } from '../../lib/api';

/** What the sample API reports about the access token it received. */
export interface WhoAmI {
  sub?: string;
  name?: string;
  scope?: string | string[];
  aud?: string | string[];
  client_id?: string;
  jti?: string;
  iat?: number;
  exp?: number;
  [claim: string]: unknown;
}

/** Calls the API with the signed-in user's token (attached by the BFF). */
export function getUserWhoAmI(): Promise<WhoAmI> {
  return api.get<WhoAmI>('/api/whoami');
}

/**
 * Calls the API with the app's own token (client credentials, attached by
 * the BFF). Works signed out too, so its 401 does not end the user session.
 */
export function getAppWhoAmI(): Promise<WhoAmI> {
  return api.get<WhoAmI>('/public-api/whoami', { sessionBound: false });
}
