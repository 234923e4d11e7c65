using Bff.Sessions.Lifecycle;

namespace Bff.Tokens;

/// <summary>Registers token management: the user's token (reader, single flight, back-off, refresher) and the BFF's own.</summary>
internal static class TokenServices
{
    public static IServiceCollection AddBffTokens(this IServiceCollection services)
    {
        services.TryAddSingleton<TokenMetrics>();
        services.TryAddSingleton<TokenRefreshPolicy>();
        services.TryAddSingleton<RefreshBackoff>();
        services.TryAddSingleton<RefreshSingleFlight>();
        services.TryAddSingleton<TokenRefresher>();
        services.TryAddSingleton<UserAccessTokenService>();
        services.TryAddSingleton<ClientAccessTokenCache>();
        // One revoker: the refresher revokes what it throws away with the same one that sees sessions end.
        services.TryAddSingleton<RefreshTokenRevoker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, RefreshTokenRevoker>(sp => sp.GetRequiredService<RefreshTokenRevoker>()));
        // The same instance sends the expired sessions' revocations in the background.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RefreshTokenRevoker>(sp => sp.GetRequiredService<RefreshTokenRevoker>()));
        return services;
    }
}
