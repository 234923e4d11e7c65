using Bff.Sessions.Lifecycle;

namespace Bff.Redis;

/// <summary>Why sessions ended, in Redis, so the instance that next sees the cookie can tell the user.</summary>
internal sealed class RedisEndedSessionStore(RedisConnection redis, TimeProvider time) : IEndedSessionStore
{
    public Task RememberAsync(string storageId, SessionEndReason reason, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var ttl = keepUntil - time.GetUtcNow();
        return ttl <= TimeSpan.Zero
            ? Task.CompletedTask
            : redis.RunAsync("ended session write",
                db => db.StringSetAsync(redis.Keys.EndedSession(storageId), reason.ToString(), ttl), cancellationToken);
    }

    public async Task<SessionEndReason?> FindAsync(string storageId, CancellationToken cancellationToken)
    {
        var value = await redis.RunAsync("ended session read",
            db => db.StringGetAsync(redis.Keys.EndedSession(storageId)), cancellationToken);
        return !value.IsNull && Enum.TryParse<SessionEndReason>((string)value!, out var reason) ? reason : null;
    }

    public Task ForgetAsync(string storageId, CancellationToken cancellationToken) =>
        redis.RunAsync("ended session forget",
            db => db.KeyDeleteAsync(redis.Keys.EndedSession(storageId)), cancellationToken);
}
