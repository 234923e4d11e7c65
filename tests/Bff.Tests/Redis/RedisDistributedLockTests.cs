using Microsoft.Extensions.Logging.Abstractions;

namespace Bff.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisDistributedLockTests : IDisposable
{
    private readonly RedisFixture _redis;
    private readonly RedisConnection _connection;
    private readonly RedisDistributedLock _locks;

    public RedisDistributedLockTests(RedisFixture redis)
    {
        _redis = redis;
        _connection = redis.Connect(RedisFixture.NewPrefix());
        _locks = new RedisDistributedLock(_connection, NullLogger<RedisDistributedLock>.Instance);
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task One_holder_at_a_time_until_released()
    {
        var first = await _locks.TryAcquireAsync("job", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await _locks.TryAcquireAsync("job", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.NotNull(await _locks.TryAcquireAsync("other-job", TimeSpan.FromSeconds(30), CancellationToken.None));

        await first.DisposeAsync();

        await using var second = await _locks.TryAcquireAsync("job", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Renewing_extends_the_lease()
    {
        await using var lease = await _locks.TryAcquireAsync("renew", TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.True(await lease!.RenewAsync(TimeSpan.FromSeconds(30), CancellationToken.None));

        var ttl = await _redis.Inspect.KeyTimeToLiveAsync(_connection.Keys.Lock("renew"));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_expired_lease_frees_the_lock_and_its_old_holder_can_neither_renew_nor_release_it()
    {
        var stale = await _locks.TryAcquireAsync("expiry", TimeSpan.FromMilliseconds(200), CancellationToken.None);
        Assert.NotNull(stale);
        Assert.Null(await _locks.TryAcquireAsync("expiry", TimeSpan.FromSeconds(30), CancellationToken.None));

        // Poll until the lease runs out (Redis expires the key), no blind sleep.
        var (next, elapsed) = await Polling.UntilAsync(
            () => _locks.TryAcquireAsync("expiry", TimeSpan.FromSeconds(30), CancellationToken.None), lease => lease is not null,
            TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(20));

        Assert.NotNull(next);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3));

        Assert.False(await stale.RenewAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        await stale.DisposeAsync();
        Assert.Null(await _locks.TryAcquireAsync("expiry", TimeSpan.FromSeconds(30), CancellationToken.None));

        await next.DisposeAsync();
        Assert.False(await next.RenewAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        await using var free = await _locks.TryAcquireAsync("expiry", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(free);
    }

    // The caller gives up on its SET (cancelled here, a timeout in production) while Redis still runs it: what that
    // SET took is released again, so the lock is not held by no one for the whole lease.
    [Fact]
    public async Task A_lock_taken_by_an_acquire_whose_answer_was_given_up_on_is_released()
    {
        await _redis.InspectServer.ExecuteAsync("CLIENT", "PAUSE", "500", "WRITE");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _locks.TryAcquireAsync("abandoned", TimeSpan.FromSeconds(30), giveUp.Token));

        // Once Redis runs the paused SET (and the release queued behind it), the lock is free.
        await using var next = await _locks.TryAcquireAsync("abandoned", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Holders_on_two_connections_exclude_each_other()
    {
        using var otherConnection = RedisFixture.Connect(_redis.Server.ConnectionString, _connection.Keys.Prefix);
        var other = new RedisDistributedLock(otherConnection, NullLogger<RedisDistributedLock>.Instance);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? _locks : other).TryAcquireAsync("race", TimeSpan.FromSeconds(30), CancellationToken.None)));

        Assert.Single(results, r => r is not null);
    }
}
