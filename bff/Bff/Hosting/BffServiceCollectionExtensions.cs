using Bff.Configuration;
using Bff.Distributed;
using Bff.Endpoints;
using Bff.Health;
using Bff.Http;
using Bff.Http.Edge;
using Bff.Oidc;
using Bff.RateLimiting;
using Bff.Sessions;
using Bff.Tokens;

using Bff.Sessions.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using OpenIdConnectResponseMode = Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectResponseMode;
using OpenIdConnectResponseType = Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectResponseType;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the backend-for-frontend.</summary>
public static class BffServiceCollectionExtensions
{
    /// <summary>Adds the BFF with settings from a configuration section (usually <c>Bff</c>).</summary>
    public static BffBuilder AddBff(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBff(options => configuration.Bind(options));

    /// <summary>Adds the BFF: OpenID Connect sign-in, the server-side session cookie and the management endpoints' services.</summary>
    public static BffBuilder AddBff(this IServiceCollection services, Action<BffOptions> configure)
    {
        // The settings model, and what every part shares.
        services.AddOptions<BffOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BffOptions>, BffOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddMetrics();
        services.AddAuthorization();

        // The parts, in the order a request meets them.
        services.AddBffHttp();
        services.AddBffRateLimiting();
        AddOidc(services);
        AddSessions(services);
        services.AddBffHealth();
        services.AddBffEndpoints();
        AddTokens(services);
        AddAuthentication(services);

        return new BffBuilder(services);
    }

    // The steps below belong to the Oidc, Sessions and Tokens parts; each becomes one AddBff… call in its own folder.

    private static void AddOidc(IServiceCollection services)
    {
        services.AddHttpClient(BffDefaults.ProviderHttpClient, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(BffDefaults.ProviderHttpClient);
            return new ProviderMetadata(
                options.Authority,
                new HttpDocumentRetriever(http) { RequireHttps = options.RequireHttpsMetadata },
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
            return new ProviderTokenValidator(
                sp.GetRequiredService<ProviderMetadata>(), options.ClientId, options.ClockSkew, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IdTokenValidator>();
        services.TryAddSingleton<IdTokenHandler>();
        services.TryAddSingleton<BffOpenIdConnectEvents>();
        services.TryAddSingleton(sp => new LogoutTokenValidator(
            sp.GetRequiredService<ProviderTokenValidator>(),
            sp.GetRequiredService<IReplayCache>(),
            sp.GetRequiredService<IOptions<BffOptions>>().Value.BackChannel.RequireLogoutJwtType));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
            return new TokenEndpointClient(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(BffDefaults.ProviderHttpClient), options.ClientId, options.ClientSecret);
        });
    }

    private static void AddSessions(IServiceCollection services)
    {
        services.TryAddSingleton<SessionExpiryQueue>();
        services.TryAddSingleton<ISessionStore, InMemorySessionStore>();
        services.TryAddSingleton<IDistributedLock, InProcessLock>();
        services.TryAddSingleton<IReplayCache, InMemoryReplayCache>();
        services.TryAddSingleton<IEndedSessionStore, InMemoryEndedSessionStore>();
        services.TryAddSingleton<IAuditTrail, InMemoryAuditTrail>();
        services.TryAddSingleton<SessionStatistics>();
        services.TryAddSingleton<SessionAudit>();
        services.TryAddSingleton<SessionTerminator>();
        services.TryAddSingleton<SessionTicketProtector>();
        services.TryAddSingleton<SessionPolicy>();
        services.TryAddSingleton<ServerSideTicketStore>();
        services.TryAddSingleton<SessionTicketCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, SessionTicketCache>(sp => sp.GetRequiredService<SessionTicketCache>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, SessionAuditObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, EndedSessionObserver>());
        services.TryAddSingleton<ReauthenticationRequirement>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, ReauthenticationRequirement>(sp => sp.GetRequiredService<ReauthenticationRequirement>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionExpiryWorker>());
        services.AddHealthChecks()
            .AddCheck<SessionStatisticsHealthCheck>(SessionStatisticsHealthCheck.Name, tags: [BffDefaults.HealthReadyTag]);
    }

    private static void AddTokens(IServiceCollection services)
    {
        services.TryAddSingleton<TokenMetrics>();
        services.TryAddSingleton<TokenRefreshPolicy>();
        services.TryAddSingleton<UserAccessTokenService>();
        services.TryAddSingleton<ClientAccessTokenCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, RefreshTokenRevoker>());
    }

    private static void AddAuthentication(IServiceCollection services)
    {
        // What AddCookie registers besides its handler, which is the BFF's own (see SessionCookieHandler).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, PostConfigureCookieAuthenticationOptions>());
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = BffDefaults.CookieScheme;
                options.DefaultChallengeScheme = BffDefaults.CookieScheme;
            })
            .AddScheme<CookieAuthenticationOptions, SessionCookieHandler>(BffDefaults.CookieScheme, displayName: null, configureOptions: null)
            .AddOpenIdConnect(BffDefaults.OidcScheme, displayName: "OpenID Connect", _ => { });

        services.AddOptions<CookieAuthenticationOptions>(BffDefaults.CookieScheme)
            .Configure<IOptions<BffOptions>, ServerSideTicketStore, IDataProtectionProvider>((cookie, bff, ticketStore, dataProtection) =>
            {
                var options = bff.Value;
                cookie.Cookie.Name = options.CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.Path = "/";
                cookie.Cookie.IsEssential = true;
                cookie.SessionStore = ticketStore;
                cookie.TicketDataFormat = new SessionCookieFormat(dataProtection, BffDefaults.CookieScheme);
                // The server-side session enforces idle and absolute limits; the cookie only mirrors the absolute one.
                cookie.ExpireTimeSpan = options.Session.AbsoluteLifetime;
                cookie.SlidingExpiration = false;
                cookie.Events = SessionCookieEvents.Create();
            });

        services.AddOptions<OpenIdConnectOptions>(BffDefaults.OidcScheme)
            .Configure<IServiceProvider>((oidc, sp) =>
            {
                var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
                oidc.Authority = options.Authority;
                oidc.RequireHttpsMetadata = options.RequireHttpsMetadata;
                // One discovery/JWKS cache for sign-in, refresh and back-channel logout (see ProviderMetadata).
                oidc.ConfigurationManager = sp.GetRequiredService<ProviderMetadata>();
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
                oidc.TokenHandler = sp.GetRequiredService<IdTokenHandler>();
                oidc.Events = sp.GetRequiredService<BffOpenIdConnectEvents>();
                oidc.Scope.Clear();
                foreach (var scope in options.EffectiveScopes)
                {
                    oidc.Scope.Add(scope);
                }

                oidc.TimeProvider = sp.GetRequiredService<TimeProvider>();
                oidc.Backchannel = sp.GetRequiredService<IHttpClientFactory>().CreateClient(BffDefaults.ProviderHttpClient);
                oidc.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(15);
                // The callback is a cross-site top-level GET from the provider: Lax is what that flow needs.
                // (Over HTTPS, HostPrefixCookies makes both Secure with the __Host- prefix.)
                foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
                {
                    cookie.SameSite = SameSiteMode.Lax;
                    cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                }
            });
    }
}
