using Bff.RateLimiting;
using Bff.Sessions;
using Bff.Tokens;

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
    public string CookieName { get; set; } = "bff";

    /// <summary>Tolerance for clock differences when validating tokens. Defaults to 2 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Session lifetimes.</summary>
    public SessionOptions Session { get; set; } = new();

    /// <summary>
    /// Reverse proxies (IP addresses such as <c>10.0.0.5</c> or CIDR ranges such as <c>10.0.0.0/8</c>) whose
    /// <c>X-Forwarded-For</c> header is believed when recording a session's client address and applying rate
    /// limits. Defaults to none: the connection's peer address is the client.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Per-client-address rate limits on sign-in and back-channel logout.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Access-token management.</summary>
    public TokenOptions Tokens { get; set; } = new();

    internal IReadOnlyList<string> EffectiveScopes =>
        Scopes.Count > 0 ? Scopes : ["openid", "profile", "email", "offline_access"];
}
