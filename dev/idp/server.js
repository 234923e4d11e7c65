// Development/test OpenID Provider for the BFF. Not for production use:
// any login/password is accepted, keys live in memory (or in IDP_STATE_FILE), and everything is
// forgotten on restart unless IDP_STATE_FILE is set.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

import {
  MemoryAdapter, entriesOf, exportState, importState, startSweeper,
} from './memory-adapter.js';

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer (got "${raw}")`);
  }
  return value;
}

const PORT = intFromEnv('IDP_PORT', 5001);
const ISSUER = `http://localhost:${PORT}`;
const BFF_ORIGINS = (process.env.BFF_ORIGINS || 'http://localhost:5000')
  .split(',')
  .map((origin) => origin.trim().replace(/\/+$/, ''))
  .filter(Boolean);
const CLIENT_ID = 'bff';
const CLIENT_SECRET = process.env.IDP_CLIENT_SECRET || 'bff-dev-secret';
const ACCESS_TOKEN_TTL = intFromEnv('IDP_ACCESS_TOKEN_TTL', 300);
const REFRESH_TOKEN_TTL = intFromEnv('IDP_REFRESH_TOKEN_TTL', 14 * 24 * 60 * 60);
const SESSION_TTL = intFromEnv('IDP_SESSION_TTL', 24 * 60 * 60);
const TEST_HOOKS = process.env.IDP_TEST_HOOKS === '1';
// When set, keys, grants and sessions are written here on shutdown and read back on start, so the
// provider can be stopped and started again (an outage) without losing who is signed in.
const STATE_FILE = process.env.IDP_STATE_FILE || '';
// Pushed authorization requests (RFC 9126) are advertised and used by the BFF; IDP_REQUIRE_PAR=1 refuses
// authorization requests that were not pushed.
const REQUIRE_PAR = process.env.IDP_REQUIRE_PAR === '1';

const API_RESOURCE = 'urn:bff-demo:api';
const API_AUDIENCE = 'api';
const API_SCOPE = 'api';

if (BFF_ORIGINS.length === 0) throw new Error('BFF_ORIGINS must list at least one origin');

// ---------------------------------------------------------------------------
// Signing keys: fresh on every start, written only to IDP_STATE_FILE when that is set.
// ---------------------------------------------------------------------------

function signingKey(type, options, alg) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  const kid = `${alg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`;
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

// RS256 first: it is the default for ID tokens, access tokens and logout tokens.
const savedState = STATE_FILE && fs.existsSync(STATE_FILE)
  ? JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'))
  : undefined;

const jwks = savedState?.jwks ?? {
  keys: [
    signingKey('rsa', { modulusLength: 2048 }, 'RS256'),
    signingKey('ec', { namedCurve: 'P-256' }, 'ES256'),
  ],
};
if (savedState) importState(savedState.models);

function saveState() {
  if (!STATE_FILE) return;
  fs.writeFileSync(STATE_FILE, JSON.stringify({ jwks, models: exportState() }), { mode: 0o600 });
}

// ---------------------------------------------------------------------------
// Accounts: whatever login name is typed becomes the subject.
// ---------------------------------------------------------------------------

async function findAccount(_ctx, sub) {
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        name: sub,
        preferred_username: sub,
        email: `${sub}@example.test`,
        email_verified: true,
      };
    },
  };
}

// Skips the consent screen for the BFF: the grant simply gets whatever the
// request asked for, so the login form is the only interaction.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;

  if (oidc.client.clientId !== CLIENT_ID) return grant;

  // An existing grant may belong to an earlier login of another account in the
  // same browser session; start over in that case.
  if (!grant || grant.accountId !== oidc.account.accountId) {
    grant = new oidc.provider.Grant({
      accountId: oidc.account.accountId,
      clientId: oidc.client.clientId,
    });
  }

  const oidcScopes = [...oidc.requestParamOIDCScopes];
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));

  const claims = [...oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);

  for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
    const scopes = [...oidc.requestParamScopes].filter((scope) => resourceServer.scopes.has(scope));
    if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
  }

  await grant.save();
  return grant;
}

// oidc-provider strips offline_access from every authorization request that
// does not also carry prompt=consent. The BFF should not need that (it would
// bring up a consent screen), so the scope is put back for it. This runs as an
// extraParams validator because those run right after that step, for /auth
// and for pushed authorization requests alike.
function decodeJwtPayload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

function requestedScope(ctx) {
  const par = ctx.oidc.entities.PushedAuthorizationRequest;
  if (par?.request) return decodeJwtPayload(par.request).scope;
  if (ctx.oidc.route === 'pushed_authorization_request') return ctx.oidc.body?.scope;
  return ctx.query?.scope;
}

async function keepOfflineAccess(ctx, _value, client) {
  const { params } = ctx.oidc;
  if (client?.clientId !== CLIENT_ID || !client.grantTypeAllowed('refresh_token')) return;
  if (!params.response_type?.includes('code')) return;

  const requested = String(requestedScope(ctx) ?? '').split(' ');
  const current = params.scope ? params.scope.split(' ') : [];
  if (requested.includes('offline_access') && !current.includes('offline_access')) {
    params.scope = [...current, 'offline_access'].join(' ');
  }
}

// ---------------------------------------------------------------------------
// RP-initiated logout page: a plain POST form that also submits itself, so a
// browser goes straight through and an HTTP client can post the same fields.
// ---------------------------------------------------------------------------

function escapeHtml(value) {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

async function logoutSource(ctx, form) {
  // `form` is oidc-provider's <form id="op.logoutForm" ...> with the hidden
  // xsrf field; the confirming button goes inside it so no form= attribute is
  // needed.
  const button = '<button type="submit" name="logout" value="yes" autofocus>Yes, sign me out</button>';
  const formWithButton = form.replace('</form>', `${button}</form>`);
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Sign out</title>
</head>
<body>
  <h1>Signing you out of ${escapeHtml(ctx.host)}</h1>
  ${formWithButton}
  <script>
    // Click the button rather than form.submit() so logout=yes is sent.
    document.addEventListener('DOMContentLoaded', function () {
      document.querySelector('form button[name="logout"]').click();
    });
  </script>
</body>
</html>`;
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signed out</title></head>'
    + '<body><h1>You are signed out.</h1></body></html>';
}

// ---------------------------------------------------------------------------
// Provider configuration
// ---------------------------------------------------------------------------

const configuration = {
  adapter: MemoryAdapter,
  jwks,
  findAccount,
  loadExistingGrant,

  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      client_name: 'BFF (dev)',
      application_type: 'web',
      // client_secret_post is accepted as well: oidc-provider treats the two
      // secret methods as interchangeable.
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: BFF_ORIGINS.map((origin) => `${origin}/signin-oidc`),
      post_logout_redirect_uris: BFF_ORIGINS.map((origin) => `${origin}/signout-callback-oidc`),
      backchannel_logout_uri: `${BFF_ORIGINS[0]}/bff/backchannel`,
      backchannel_logout_session_required: true,
      id_token_signed_response_alg: 'RS256',
    },
  ],

  scopes: ['openid', 'profile', 'email', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    sid: null,
    acr: null,
    auth_time: null,
    iss: null,
  },
  // Put the scope-requested claims into the ID token itself; the BFF does not
  // call userinfo (its access token is audience-restricted to the API).
  conformIdTokenClaims: false,

  // Never sent by clients; only here so keepOfflineAccess runs on every request.
  extraParams: { x_keep_offline_access: keepOfflineAccess },

  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  pkce: { required: () => true }, // oidc-provider 9 only implements S256

  enabledJWA: {
    idTokenSigningAlgValues: ['RS256', 'ES256'],
  },

  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    // Only the BFF itself (a confidential client) exists, so it may see and
    // revoke its own tokens.
    introspection: {
      enabled: true,
      allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
    },
    revocation: {
      enabled: true,
      allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
    },
    backchannelLogout: { enabled: true },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: REQUIRE_PAR },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    resourceIndicators: {
      enabled: true,
      // No `resource` parameter means the API; a list (token endpoint) means
      // its first entry.
      defaultResource: (_ctx, _client, oneOf) => (oneOf ? oneOf[0] : API_RESOURCE),
      // Refresh grants keep producing API tokens instead of userinfo tokens.
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, resourceIndicator) {
        if (resourceIndicator !== API_RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: API_SCOPE,
          audience: API_AUDIENCE,
          accessTokenTTL: ACCESS_TOKEN_TTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },

  // Handy for the API: show who the token is for without a userinfo call.
  extraTokenClaims(_ctx, token) {
    return token.accountId ? { name: token.accountId } : undefined;
  },
  formats: {
    customizers: {
      // RFC 9068 would put the client_id into `sub` for client credentials;
      // leave it out so the API can tell app tokens from user tokens.
      jwt(_ctx, token, jwt) {
        if (token.kind === 'ClientCredentials') delete jwt.payload.sub;
      },
    },
  },

  // Refresh tokens whenever offline_access was granted (oidc-provider's rule,
  // spelled out), rotated on every use. Re-using a rotated one revokes the
  // whole grant (built-in reuse detection).
  issueRefreshToken: (_ctx, client, source) => client.grantTypeAllowed('refresh_token')
    && source.scopes.has('offline_access'),
  rotateRefreshToken: true,

  ttl: {
    AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ACCESS_TOKEN_TTL,
    ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ACCESS_TOKEN_TTL,
    AuthorizationCode: 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    RefreshToken: REFRESH_TOKEN_TTL,
    Session: SESSION_TTL,
    Grant: Math.max(REFRESH_TOKEN_TTL, SESSION_TTL),
  },

  cookies: {
    keys: ['bff-dev-idp-cookie-key-1', 'bff-dev-idp-cookie-key-0'],
    // Plain http://localhost: cookies must not be marked Secure.
    long: { httpOnly: true, sameSite: 'lax', secure: false },
    short: { httpOnly: true, sameSite: 'lax', secure: false },
  },

  // oidc-provider's outgoing requests (back-channel logout) refuse loopback
  // and private addresses as SSRF protection; the BFF lives on localhost.
  fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),

  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Error</title></head><body>
<h1>Error</h1>${Object.entries(out).map(([k, v]) => `<p><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</p>`).join('')}
</body></html>`;
  },
};

const provider = new Provider(ISSUER, configuration);

// `api` is a resource-server scope, not an OpenID one, so oidc-provider does
// not list it in discovery on its own.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/.well-known/openid-configuration' && ctx.body?.scopes_supported) {
    if (!ctx.body.scopes_supported.includes(API_SCOPE)) ctx.body.scopes_supported.push(API_SCOPE);
  }
});

// ---------------------------------------------------------------------------
// Counters for the test hooks, fed by provider events.
// ---------------------------------------------------------------------------

function freshStats() {
  return {
    grants: { authorization_code: 0, refresh_token: 0, client_credentials: 0 },
    refreshFailures: 0,
    backchannel: { success: 0, error: 0 },
  };
}
let stats = freshStats();

const grantTypeOf = (ctx) => ctx?.oidc?.params?.grant_type;

provider.on('grant.success', (ctx) => {
  const type = grantTypeOf(ctx);
  if (type) stats.grants[type] = (stats.grants[type] ?? 0) + 1;
});
provider.on('grant.error', (ctx) => {
  if (grantTypeOf(ctx) === 'refresh_token') stats.refreshFailures += 1;
});
provider.on('backchannel.success', () => {
  stats.backchannel.success += 1;
});
provider.on('backchannel.error', (_ctx, err, client) => {
  stats.backchannel.error += 1;
  console.log(`backchannel logout to ${client?.backchannelLogoutUri} failed: ${err?.message}`);
});

// Error codes (never tokens) are attached to the request log line.
const errorEvents = [
  'authorization.error', 'grant.error', 'end_session.error', 'end_session_confirm.error',
  'revocation.error', 'introspection.error', 'userinfo.error', 'discovery.error', 'jwks.error',
];
for (const event of errorEvents) {
  provider.on(event, (ctx, err) => {
    if (ctx?.res) ctx.res.idpError = err?.error || err?.name;
  });
}
provider.on('server_error', (_ctx, err) => {
  console.error('server_error:', err);
});

// ---------------------------------------------------------------------------
// Test hooks (IDP_TEST_HOOKS=1 only)
// ---------------------------------------------------------------------------

async function revokeGrant(grantId) {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
  ]);
  await provider.Grant.adapter.destroy(grantId);
}

async function revokeAccount(sub) {
  const grants = entriesOf('Grant').filter(([, grant]) => grant.accountId === sub);
  for (const [grantId] of grants) await revokeGrant(grantId);
  return { revoked: grants.length };
}

// Same effect as the user confirming sign-out at the provider for every
// session of `sub`: each client in the session gets a back-channel logout
// token, non-offline grants are revoked, and the session is gone.
async function endSessionsOf(sub) {
  const sessions = entriesOf('Session').filter(([, session]) => session.accountId === sub);
  const result = { sessions: sessions.length, backchannel: { success: 0, error: 0 } };

  for (const [sessionId, session] of sessions) {
    for (const [clientId, authorization] of Object.entries(session.authorizations || {})) {
      const client = await provider.Client.find(clientId);
      if (client?.backchannelLogoutUri) {
        try {
          await client.backchannelLogout(sub, authorization.sid);
          result.backchannel.success += 1;
          provider.emit('backchannel.success', undefined, client, sub, authorization.sid);
        } catch (err) {
          result.backchannel.error += 1;
          provider.emit('backchannel.error', undefined, err, client, sub, authorization.sid);
        }
      }
      if (authorization.grantId && !authorization.persistsLogout) {
        await revokeGrant(authorization.grantId);
      }
    }
    await provider.Session.adapter.destroy(sessionId);
  }
  return result;
}

function sendJson(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

// Returns true when the request was a test hook (handled here).
async function handleTestHook(req, res, url) {
  if (!TEST_HOOKS || !url.pathname.startsWith('/__test/')) return false;

  const route = `${req.method} ${url.pathname}`;
  const sub = url.searchParams.get('sub');

  switch (route) {
    case 'GET /__test/stats':
      sendJson(res, 200, stats);
      break;
    case 'POST /__test/stats/reset':
      stats = freshStats();
      sendJson(res, 200, stats);
      break;
    case 'POST /__test/revoke':
      if (!sub) sendJson(res, 400, { error: 'sub query parameter is required' });
      else sendJson(res, 200, await revokeAccount(sub));
      break;
    case 'GET /__test/pushed': {
      // The parameters of a pushed authorization request, as the BFF sent them (the redirect shows only its request_uri).
      const id = (url.searchParams.get('request_uri') || '').replace('urn:ietf:params:oauth:request_uri:', '');
      const entry = entriesOf('PushedAuthorizationRequest').find(([key]) => key === id);
      if (!entry) sendJson(res, 404, { error: 'no such pushed request' });
      else sendJson(res, 200, decodeJwtPayload(entry[1].request));
      break;
    }
    case 'POST /__test/end-session':
      if (!sub) sendJson(res, 400, { error: 'sub query parameter is required' });
      else sendJson(res, 200, await endSessionsOf(sub));
      break;
    default:
      sendJson(res, 404, { error: 'unknown test hook' });
  }
  return true;
}

// ---------------------------------------------------------------------------
// HTTP server
// ---------------------------------------------------------------------------

const providerHandler = provider.callback();

async function handle(req, res) {
  const started = process.hrtime.bigint();
  const url = new URL(req.url, ISSUER);

  // One line per request: no query string, headers or bodies, since those
  // carry codes, tokens, secrets and cookies.
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const error = res.idpError ? ` ${res.idpError}` : '';
    console.log(`${req.method} ${url.pathname} ${res.statusCode}${error} ${ms.toFixed(1)}ms`);
  });

  try {
    if (await handleTestHook(req, res, url)) return;
    providerHandler(req, res);
  } catch (err) {
    console.error('request failed:', err);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    else res.end();
  }
}

const servers = [];

function listen(host, { optional = false } = {}) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handle);
    server.once('error', (err) => {
      if (optional) resolve(undefined);
      else reject(err);
    });
    server.listen(PORT, host, () => {
      servers.push(server);
      resolve(server);
    });
  });
}

async function main() {
  startSweeper();
  await listen('127.0.0.1');
  // Some clients resolve localhost to ::1 first; serve it when the host has it.
  await listen('::1', { optional: true });

  const origins = BFF_ORIGINS.join(', ');
  console.log(`IdP listening on ${ISSUER}`);
  console.log(`client "${CLIENT_ID}" registered for ${origins}; test hooks ${TEST_HOOKS ? 'on' : 'off'}`);
}

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received, shutting down`);
  saveState();
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  Promise.all(servers.map((server) => new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections?.();
  }))).then(() => process.exit(0));
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

main().catch((err) => {
  console.error(`IdP failed to start: ${err.message}`);
  process.exit(1);
});
