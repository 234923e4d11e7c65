using Bff.Distributed;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>One-time values in Redis (<c>SET NX PX</c>): a value seen by one instance is a replay on every instance.</summary>
internal sealed class RedisReplayCache(RedisConnection redis, TimeProvider time) : IReplayCache
{
    public Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var ttl = expiresAt - time.GetUtcNow();
        if (ttl < TimeSpan.FromMilliseconds(1))
        {
            ttl = TimeSpan.FromMilliseconds(1);
        }

        return redis.RunAsync("replay check",
            db => db.StringSetAsync(redis.Keys.Replay(key), "1", ttl, When.NotExists), cancellationToken);
    }
}
