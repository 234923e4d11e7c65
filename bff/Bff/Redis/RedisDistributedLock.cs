using Bff.Distributed;
using Bff.Logging;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.WebUtilities;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// Locks shared by every instance: <c>SET key token NX PX lease</c> with a random token per holder. Renewing
/// and releasing check the token in the same Lua step, so a holder whose lease ran out can never extend or
/// delete the lock someone else has taken since.
/// </summary>
internal sealed class RedisDistributedLock(RedisConnection redis, ILogger<RedisDistributedLock> logger) : IDistributedLock
{
    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    public async Task<ILockLease?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken cancellationToken)
    {
        var key = redis.Keys.Lock(name);
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        bool taken;
        try
        {
            taken = await redis.RunAsync("lock acquire",
                db => db.StringSetAsync(key, token, Positive(lease), When.NotExists), cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SessionStoreUnavailableException)
        {
            // The SET may have reached Redis before its answer was given up on: the lock would then be held by no
            // one for the whole lease, and every other caller would wait for it. This attempt's token is its own,
            // so releasing it can only free what this attempt took.
            await ReleaseAsync(redis, logger, name, key, token);
            throw;
        }

        return taken ? new Lease(redis, logger, name, key, token) : null;
    }

    private static async Task ReleaseAsync(RedisConnection redis, ILogger logger, string name, RedisKey key, string token)
    {
        try
        {
            await redis.RunAsync("lock release",
                db => db.ScriptEvaluateAsync(ReleaseScript, [key], [token]), CancellationToken.None);
        }
        catch (SessionStoreUnavailableException ex)
        {
            Log.RedisLockReleaseFailed(logger, name, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
        }
    }

    private static TimeSpan Positive(TimeSpan lease) =>
        lease >= TimeSpan.FromMilliseconds(1) ? lease : throw new ArgumentOutOfRangeException(nameof(lease), "A lease must last at least 1 ms.");

    private sealed class Lease(RedisConnection redis, ILogger logger, string name, RedisKey key, string token) : ILockLease
    {
        private int _released;

        public async Task<bool> RenewAsync(TimeSpan lease, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _released) == 1)
            {
                return false;
            }

            var milliseconds = ((long)Positive(lease).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var renewed = await redis.RunAsync("lock renew",
                db => db.ScriptEvaluateAsync(RenewScript, [key], [token, milliseconds]), cancellationToken);
            return (int)renewed == 1;
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
            {
                return;
            }

            await ReleaseAsync(redis, logger, name, key, token);
        }
    }
}
