using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenIddictProvider;

/// <summary>
/// A second, independent OpenID provider for the test suite, built on OpenIddict's server: authorization code
/// with PKCE, rotating refresh tokens, revocation, RP-initiated logout and (added here) back-channel logout.
/// </summary>
public static class ProviderApp
{
    /// <summary>The provider's own sign-in cookie (the user's session at the provider).</summary>
    public const string SessionScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var settings = builder.Configuration.GetSection("Provider").Get<ProviderSettings>() ?? new ProviderSettings();
        builder.Services.Configure<ProviderSettings>(builder.Configuration.GetSection("Provider"));
        builder.WebHost.UseUrls($"http://localhost:{settings.Port}");

        // Nothing survives the process: keys, clients and tokens are made at start.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        // One database for the process (a name made per options build would give every scope an empty one).
        var database = "openiddict-" + Guid.NewGuid().ToString("N");
        builder.Services.AddDbContext<ProviderDbContext>(options =>
        {
            options.UseInMemoryDatabase(database);
            options.UseOpenIddict();
        });

        builder.Services.AddAuthentication(SessionScheme).AddCookie(SessionScheme, options =>
        {
            // Loopback cookies are shared by every port: a name of its own keeps it apart from the BFF's.
            options.Cookie.Name = "openiddict-provider";
            options.LoginPath = "/account/login";
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<ProviderDbContext>())
            .AddServer(options =>
            {
                options.SetIssuer(new Uri(settings.Issuer));
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris("connect/endsession")
                    .SetRevocationEndpointUris("connect/revoke");
                options.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
                options.RequireProofKeyForCodeExchange();
                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, ClientRegistration.ApiScope);
                options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                // JWT access tokens the demo API can validate (OpenIddict encrypts them by default).
                options.DisableAccessTokenEncryption();
                options.SetAccessTokenLifetime(TimeSpan.FromSeconds(settings.AccessTokenLifetimeSeconds))
                    .SetRefreshTokenLifetime(TimeSpan.FromSeconds(settings.RefreshTokenLifetimeSeconds))
                    .SetRefreshTokenReuseLeeway(TimeSpan.FromSeconds(settings.RefreshTokenReuseLeewaySeconds));
                options.UseAspNetCore()
                    .DisableTransportSecurityRequirement()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
            });

        builder.Services.AddHttpClient();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BackChannelLogout>();
        builder.Services.AddHostedService<ClientRegistration>();

        var app = builder.Build();
        app.UseAuthentication();
        AccountEndpoints.Map(app);
        AuthorizeEndpoint.Map(app);
        EndSessionEndpoint.Map(app);
        return app;
    }
}
