using Bff.Sessions;

namespace Bff.Redis;

/// <summary>Why sessions ended, in Redis, so the instance that next sees the cookie can tell the user.</summary>
internal sealed class RedisEndedSessionStore(RedisConnection redis, TimeProvider time) : IEndedSessionStore
{
    // Read and delete in one step: the reason is told once, by whichever instance asks first.
    private const string TakeScript = """
        local reason = redis.call('GET', KEYS[1])
        if reason then redis.call('DEL', KEYS[1]) end
        return reason
        """;

    public Task RememberAsync(string storageId, SessionEndReason reason, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var ttl = keepUntil - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        return redis.RunAsync("ended session write",
            db => db.StringSetAsync(redis.Keys.EndedSession(storageId), reason.ToString(), ttl), cancellationToken);
    }

    public async Task<SessionEndReason?> TakeAsync(string storageId, CancellationToken cancellationToken)
    {
        var value = await redis.RunAsync("ended session read",
            db => db.ScriptEvaluateAsync(TakeScript, [redis.Keys.EndedSession(storageId)]), cancellationToken);
        return !value.IsNull && Enum.TryParse<SessionEndReason>((string)value!, out var reason) ? reason : null;
    }
}
