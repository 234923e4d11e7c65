namespace Bff.Configuration;

/// <summary>The names and paths the BFF uses in more than one place.</summary>
public static class BffDefaults
{
    /// <summary>The authentication scheme of the session cookie.</summary>
    public const string CookieScheme = "bff.cookie";

    /// <summary>The authentication scheme of OpenID Connect sign-in at the provider.</summary>
    public const string OidcScheme = "bff.oidc";

    /// <summary>The session cookie's name unless <see cref="BffOptions.CookieName"/> says otherwise.</summary>
    public const string CookieName = "bff";

    /// <summary>Where the management endpoints live (<c>/bff/login</c>, <c>/bff/user</c>, …).</summary>
    public const string EndpointsPath = "/bff";

    /// <summary>Where the provider posts back-channel logout tokens (mapped by <c>MapBffManagementEndpoints</c>).</summary>
    internal const string BackChannelPath = EndpointsPath + "/backchannel";

    /// <summary>The login endpoint, where a navigation without a session is sent.</summary>
    public const string LoginPath = EndpointsPath + "/login";

    /// <summary>The logout endpoint.</summary>
    public const string LogoutPath = EndpointsPath + "/logout";

    // The sign-in handler's cookie name prefixes (ASP.NET Core's defaults, which the BFF keeps): a correlation cookie
    // and a nonce cookie for every sign-in started.
    internal const string CorrelationCookiePrefix = ".AspNetCore.Correlation.";
    internal const string NonceCookiePrefix = ".AspNetCore.OpenIdConnect.Nonce.";

    /// <summary>Tag of the health checks <c>/health/ready</c> runs: tag your own checks with it to take part.</summary>
    public const string HealthReadyTag = "ready";

    /// <summary>Liveness: 200 while the process serves requests.</summary>
    public const string HealthLivePath = "/health/live";

    /// <summary>Readiness: every check tagged <see cref="HealthReadyTag"/>.</summary>
    public const string HealthReadyPath = "/health/ready";
}
