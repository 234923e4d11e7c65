using Bff.Sessions.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Redis;

/// <summary>
/// Ready only while Redis answers a PING within the command deadline. Degraded (still ready) while Redis may evict
/// the BFF's keys (<see cref="RedisEvictionPolicy"/>): it works, but loses sessions and their indexes when full.
/// </summary>
internal sealed class RedisHealthCheck(RedisConnection redis, RedisEvictionPolicy evictionPolicy) : IHealthCheck
{
    public const string Name = "redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        TimeSpan latency;
        try
        {
            latency = await redis.PingAsync(cancellationToken);
        }
        catch (SessionStoreUnavailableException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: sessions cannot be read or written.");
        }

        var answered = $"PING answered in {latency.TotalMilliseconds:0.##} ms.";
        var evicting = await evictionPolicy.EvictingAsync(cancellationToken);
        return evicting.Count == 0
            ? HealthCheckResult.Healthy(answered)
            : HealthCheckResult.Degraded(
                $"{answered} Redis may evict sessions and their indexes when full: {string.Join(", ", evicting)}. Set maxmemory-policy noeviction.");
    }
}
