using Bff.Configuration;
using Bff.Distributed;
using Bff.Endpoints;
using Bff.Health;
using Bff.Http;
using Bff.Oidc;
using Bff.RateLimiting;
using Bff.Sessions.Audit;
using Bff.Sessions.Cookie;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;
using Bff.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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
        services.AddBffOidc();
        AddSessions(services);
        services.AddBffHealth();
        services.AddBffEndpoints();
        services.AddBffTokens();
        AddAuthentication(services);

        return new BffBuilder(services);
    }

    // The steps below belong to the Sessions part; each becomes one AddBff… call in its own folder.

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

    private static void AddAuthentication(IServiceCollection services)
    {
        // What AddCookie registers besides its handler, which is the BFF's own (see SessionCookieHandler).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, PostConfigureCookieAuthenticationOptions>());
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = BffDefaults.CookieScheme;
                options.DefaultChallengeScheme = BffDefaults.CookieScheme;
            })
            .AddScheme<CookieAuthenticationOptions, SessionCookieHandler>(BffDefaults.CookieScheme, displayName: null, configureOptions: null);

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
    }
}
