using Bff.Configuration;
using Bff.Sessions.Audit;
using Bff.Sessions.Cookie;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Sessions;

/// <summary>
/// Registers server-side sessions: the store (in memory unless an add-on such as Redis registers its own first),
/// the session cookie as the default authentication scheme, how sessions end and who is told, and the audit.
/// </summary>
internal static class SessionServices
{
    public static IServiceCollection AddBffSessions(this IServiceCollection services)
    {
        // Store
        services.TryAddSingleton<ISessionStore, InMemorySessionStore>();
        // Tickets another instance protected with a key this one has not read yet are read again, not ended.
        ReloadableKeyManager.Register(services);
        services.TryAddSingleton<KeyRingReload>();
        services.TryAddSingleton<SessionTicketProtector>();
        services.TryAddSingleton<SessionTicketCache>();
        services.TryAddSingleton<ServerSideTicketStore>();

        // Lifecycle: limits, ending, and everyone who must know (the ticket cache, the audit, the reason for the
        // owner's next request, the re-authentication rule).
        services.TryAddSingleton<SessionPolicy>();
        services.TryAddSingleton<SessionTerminator>();
        services.TryAddSingleton<SessionExpiryQueue>();
        services.TryAddSingleton<IEndedSessionStore, InMemoryEndedSessionStore>();
        services.TryAddSingleton<ReauthenticationRequirement>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, SessionTicketCache>(sp => sp.GetRequiredService<SessionTicketCache>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, SessionAuditObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, EndedSessionObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, ReauthenticationRequirement>(sp => sp.GetRequiredService<ReauthenticationRequirement>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionExpiryWorker>());

        // Audit
        services.TryAddSingleton<IAuditTrail, InMemoryAuditTrail>();
        services.TryAddSingleton<SessionStatistics>();
        services.TryAddSingleton<ActiveSessionCount>();
        services.TryAddSingleton<SessionAudit>();
        services.AddHealthChecks()
            .AddCheck<SessionStatisticsHealthCheck>(SessionStatisticsHealthCheck.Name, tags: [BffDefaults.HealthReadyTag]);

        // Cookie: the BFF's own handler in place of AddCookie's, with what AddCookie registers besides it.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, PostConfigureCookieAuthenticationOptions>());
        services.AddOptions<CookieAuthenticationOptions>(BffDefaults.CookieScheme)
            .Configure<IOptions<BffOptions>, ServerSideTicketStore, IDataProtectionProvider>(
                (cookie, bff, tickets, dataProtection) => SessionCookieSetup.Configure(cookie, bff.Value, tickets, dataProtection));
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = BffDefaults.CookieScheme;
                options.DefaultChallengeScheme = BffDefaults.CookieScheme;
            })
            .AddScheme<CookieAuthenticationOptions, SessionCookieHandler>(BffDefaults.CookieScheme, displayName: null, configureOptions: null);
        return services;
    }
}
