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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, RefreshTokenRevoker>());
        return services;
    }
}
