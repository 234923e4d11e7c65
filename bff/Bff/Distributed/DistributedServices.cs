namespace Bff.Distributed;

/// <summary>Registers the in-process lock and replay cache: right for one instance; Redis registers shared ones first.</summary>
internal static class DistributedServices
{
    public static IServiceCollection AddBffDistributed(this IServiceCollection services)
    {
        services.TryAddSingleton<IDistributedLock, InProcessLock>();
        services.TryAddSingleton<IReplayCache, InMemoryReplayCache>();
        return services;
    }
}
