using Bff.Sessions.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Redis;

/// <summary>Ready only while Redis answers a PING within the command deadline.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public const string Name = "redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PING answered in {latency.TotalMilliseconds:0.##} ms.");
        }
        catch (SessionStoreUnavailableException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: sessions cannot be read or written.");
        }
    }
}
