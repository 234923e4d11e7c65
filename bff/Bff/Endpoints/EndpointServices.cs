namespace Bff.Endpoints;

/// <summary>Registers the management endpoints; an app's own registration of an endpoint interface wins.</summary>
internal static class EndpointServices
{
    public static IServiceCollection AddBffEndpoints(this IServiceCollection services)
    {
        services.TryAddSingleton<ILoginEndpoint, LoginEndpoint>();
        services.TryAddSingleton<ILogoutEndpoint, LogoutEndpoint>();
        services.TryAddSingleton<IUserEndpoint, UserEndpoint>();
        services.TryAddSingleton<ISessionsEndpoint, SessionsEndpoint>();
        services.TryAddSingleton<IBackChannelLogoutEndpoint, BackChannelLogoutEndpoint>();
        return services;
    }
}
