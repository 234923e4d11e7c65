namespace Bff.Configuration;

/// <summary>
/// Settings of the backend-for-frontend, bound from the <c>Bff</c> configuration section.
/// </summary>
public sealed class BffOptions
{
    /// <summary>The OpenID Provider's issuer URL, e.g. <c>https://login.example.com</c>. Required.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The client id registered at the provider. Required.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret. Required: the BFF is a confidential client.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Scopes requested at sign-in. Defaults to <c>openid profile email offline_access</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>
    /// Require HTTPS for the provider's metadata and endpoints. Defaults to <c>true</c>; set to
    /// <c>false</c> only for a development provider on <c>http://localhost</c>.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The path the provider redirects to after sign-in. Defaults to <c>/signin-oidc</c>.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>The path the provider redirects to after sign-out. Defaults to <c>/signout-callback-oidc</c>.</summary>
    public string SignedOutCallbackPath { get; set; } = "/signout-callback-oidc";

    /// <summary>
    /// Name of the session cookie. Defaults to <c>bff</c>; over HTTPS the cookie is named
    /// <c>__Host-</c> followed by this name.
    /// </summary>
    public string CookieName { get; set; } = BffDefaults.CookieName;

    /// <summary>
    /// Require pushed authorization requests (RFC 9126): sign-in refuses to start when the provider's discovery
    /// document names no <c>pushed_authorization_request_endpoint</c>. Defaults to <c>false</c>: PAR is used
    /// whenever the provider advertises it.
    /// </summary>
    public bool RequirePushedAuthorization { get; set; }

    /// <summary>Back-channel logout.</summary>
    public BackChannelOptions BackChannel { get; set; } = new();

    /// <summary>
    /// Whether a sign-in that asked the provider for a recent authentication (<c>prompt=login</c> or <c>max_age</c>, the
    /// BFF's own re-authentication demands included) is refused when the id_token has no <c>auth_time</c>, as OpenID
    /// Connect Core §2 requires after <c>max_age</c>. Defaults to <c>false</c>: some providers send <c>auth_time</c>
    /// only when configured to, and their users would be locked out of every such sign-in.
    /// </summary>
    public bool RequireAuthTime { get; set; }

    /// <summary>Tolerance for clock differences when validating tokens. Defaults to 2 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Session lifetimes.</summary>
    public SessionOptions Session { get; set; } = new();

    /// <summary>
    /// Reverse proxies (IP addresses such as <c>10.0.0.5</c> or CIDR ranges such as <c>10.0.0.0/8</c>) whose
    /// <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> headers are believed: the client
    /// address for sessions and rate limits, and https behind a TLS-terminating proxy (Secure, <c>__Host-</c>
    /// cookies, an https redirect URI). Defaults to none: the connection itself is the truth.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Outside Development the BFF refuses to start when it listens only on plain HTTP with no
    /// <see cref="TrustedProxies"/> (its cookies would lack <c>Secure</c>). Set to <c>true</c> to allow that
    /// deliberately. Defaults to <c>false</c>.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>
    /// The host name remote APIs are told in <c>X-Forwarded-Host</c>. Defaults to none: the host a trusted proxy
    /// forwarded, and otherwise no <c>X-Forwarded-Host</c> at all (a client's own Host header is not passed on
    /// as if it were vouched for).
    /// </summary>
    public string? ForwardedHost { get; set; }

    /// <summary>What <c>/health/ready</c> shows.</summary>
    public HealthOptions Health { get; set; } = new();

    /// <summary>Per-client-address rate limits on sign-in and back-channel logout.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Access-token management.</summary>
    public TokenOptions Tokens { get; set; } = new();

    internal IReadOnlyList<string> EffectiveScopes =>
        Scopes.Count > 0 ? Scopes : ["openid", "profile", "email", "offline_access"];
}
