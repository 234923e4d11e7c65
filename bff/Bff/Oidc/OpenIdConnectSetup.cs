using Bff.Configuration;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using OpenIdConnectResponseMode = Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectResponseMode;
using OpenIdConnectResponseType = Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectResponseType;

namespace Bff.Oidc;

/// <summary>
/// Sets the BFF's OpenID Connect scheme from <c>Bff:*</c>: code flow with PKCE, the BFF's provider metadata,
/// token handler, events and HTTP client. The app's own <c>ConfigureOpenIdConnect</c> runs after this.
/// </summary>
internal static class OpenIdConnectSetup
{
    public static void Configure(OpenIdConnectOptions oidc, BffOptions options, IServiceProvider services)
    {
        oidc.Authority = options.Authority;
        oidc.RequireHttpsMetadata = options.RequireHttpsMetadata;
        // One discovery/JWKS cache for sign-in, refresh and back-channel logout (see ProviderMetadata).
        oidc.ConfigurationManager = services.GetRequiredService<ProviderMetadata>();
        oidc.ClientId = options.ClientId;
        oidc.ClientSecret = options.ClientSecret;
        oidc.CallbackPath = options.CallbackPath;
        oidc.SignedOutCallbackPath = options.SignedOutCallbackPath;
        // Front-channel logout is not offered: back-channel logout ends sessions.
        oidc.RemoteSignOutPath = PathString.Empty;
        oidc.SignInScheme = BffDefaults.CookieScheme;
        oidc.SignOutScheme = BffDefaults.CookieScheme;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.UsePkce = true;
        oidc.PushedAuthorizationBehavior = options.RequirePushedAuthorization
            ? PushedAuthorizationBehavior.Require
            : PushedAuthorizationBehavior.UseIfAvailable;
        oidc.MapInboundClaims = false;
        oidc.GetClaimsFromUserInfoEndpoint = false;
        // The id_token's claims, minus the protocol's, are the user's (OidcClaims); no renaming, no deleting.
        oidc.ClaimActions.Clear();
        // Tokens go into the server-side session ticket by BffOpenIdConnectEvents, with their issue time.
        oidc.SaveTokens = false;
        oidc.DisableTelemetry = true;
        oidc.TokenHandler = services.GetRequiredService<IdTokenHandler>();
        oidc.Events = services.GetRequiredService<BffOpenIdConnectEvents>();
        oidc.Scope.Clear();
        foreach (var scope in options.EffectiveScopes)
        {
            oidc.Scope.Add(scope);
        }

        oidc.TimeProvider = services.GetRequiredService<TimeProvider>();
        oidc.Backchannel = OidcServices.ProviderHttp(services);
        oidc.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(15);
        // The callback is a cross-site top-level GET from the provider: Lax is what that flow needs.
        // (Over HTTPS, HostPrefixCookies makes both Secure with the __Host- prefix.) Path=/ rather than the callback's
        // path, over plain HTTP too: a sign-in start must see the unfinished sign-ins' cookies to clear them.
        foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.Path = "/";
        }
    }
}
