using Bff.Configuration;

namespace Bff.Health;

/// <summary>Registers the health checks' services and the provider check of <c>/health/ready</c>.</summary>
internal static class HealthServices
{
    public static IServiceCollection AddBffHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ProviderHealthCheck>(ProviderHealthCheck.Name, tags: [BffDefaults.HealthReadyTag]);
        return services;
    }
}
