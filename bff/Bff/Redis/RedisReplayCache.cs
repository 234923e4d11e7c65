using Bff.Distributed;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>One-time values in Redis (<c>SET NX PX</c>): a value seen by one instance is a replay on every instance.</summary>
internal sealed class RedisReplayCache(RedisConnection redis, TimeProvider time) : IReplayCache
{
    public Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        // PX takes 1 ms at the least.
        var ttl = TimeSpan.FromTicks(Math.Max((expiresAt - time.GetUtcNow()).Ticks, TimeSpan.TicksPerMillisecond));
        return redis.RunAsync("replay check",
            db => db.StringSetAsync(redis.Keys.Replay(key), "1", ttl, When.NotExists), cancellationToken);
    }

    public Task RemoveAsync(string key) =>
        redis.RunAsync("replay forget", db => db.KeyDeleteAsync(redis.Keys.Replay(key)), CancellationToken.None);
}
