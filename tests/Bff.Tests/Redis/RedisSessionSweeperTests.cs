using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Bff.Tests.Redis;

/// <summary>The sweeper on one real redis-server: thousands of abandoned sessions, two instances, no double work.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSessionSweeperTests(RedisFixture redis, ITestOutputHelper output)
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private SweeperScenario NewScenario() =>
        new(prefix => RedisFixture.Connect(redis.Server.ConnectionString, prefix), redis.Multiplexer, _clock);

    [Fact]
    public async Task Thousands_of_abandoned_sessions_are_ended_once_each_within_a_minute_of_their_deadline()
    {
        using var scenario = NewScenario();
        var start = _clock.GetUtcNow();
        // 3,000 sessions of 600 users: most abandoned (idle limit at a spread of times over two minutes), every
        // tenth reaching its absolute limit instead.
        var sessions = Enumerable.Range(0, 3000).Select(i =>
        {
            var deadline = start + TimeSpan.FromMilliseconds(40 * i + 1);
            return SweeperScenario.Session($"s{i}", $"user{i % 600}", $"sid{i}", start.AddHours(-1), deadline,
                i % 10 == 0 ? deadline : start.AddHours(7));
        }).ToList();
        await scenario.SaveAsync(sessions);
        Assert.Equal(3000, await scenario.Stores[0].CountAsync(CancellationToken.None));

        // The hosted sweeper ticks every Interval; both instances sweep on each tick.
        var sweeps = 0;
        var wall = TimeSpan.Zero;
        while (_clock.GetUtcNow() < start + TimeSpan.FromMinutes(2) + RedisSessionSweeper.Interval)
        {
            _clock.Advance(RedisSessionSweeper.Interval);
            var (_, elapsed) = await scenario.SweepAllAsync();
            wall += elapsed;
            sweeps++;
        }

        Assert.Equal(3000, scenario.Ends.Count);
        foreach (var session in sessions)
        {
            var (reason, at) = Assert.Single(scenario.Ends[session.Id]);
            Assert.Equal(session.ExpiresAt == session.AbsoluteExpiresAt ? SessionEndReason.AbsoluteLifetime : SessionEndReason.IdleTimeout, reason);
            Assert.InRange(at - session.ExpiresAt, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        }

        // Ended means gone: no session, no index key, no schedule entry is left behind.
        Assert.Empty(scenario.RemainingKeys());
        Assert.Equal(0, await scenario.Stores[1].CountAsync(CancellationToken.None));
        output.WriteLine($"3000 sessions ended by {scenario.Sweepers.Count} instances in {sweeps} sweeps, {wall.TotalMilliseconds:0} ms of sweeping: {3000 / wall.TotalMinutes:0} ends/minute");
    }

    [Fact]
    public async Task Two_instances_sweeping_a_backlog_at_once_end_each_session_once_at_ten_thousand_a_minute_or_more()
    {
        using var scenario = NewScenario();
        var now = _clock.GetUtcNow();
        var sessions = Enumerable.Range(0, 5000)
            .Select(i => SweeperScenario.Session($"b{i}", $"u{i % 1000}", null, now.AddHours(-1), now.AddMinutes(1), now.AddHours(7)))
            .ToList();
        await scenario.SaveAsync(sessions);
        _clock.Advance(TimeSpan.FromMinutes(2));

        var (ended, elapsed) = await scenario.SweepAllAsync();

        Assert.Equal(5000, ended.Sum());
        Assert.All(ended, count => Assert.True(count > 0, "both instances take part"));
        Assert.Equal(5000, scenario.Ends.Count);
        Assert.All(scenario.Ends.Values, ends => Assert.Single(ends));
        Assert.Empty(scenario.RemainingKeys());
        var perMinute = 5000 / elapsed.TotalMinutes;
        output.WriteLine($"backlog of 5000: {elapsed.TotalMilliseconds:0} ms, {perMinute:0} ends/minute ({string.Join(" + ", ended)})");
        Assert.True(perMinute >= 10_000, $"{perMinute:0} ends/minute");
    }

    [Fact]
    public async Task A_claim_whose_instance_died_is_taken_over_after_its_lease_and_a_session_that_saw_activity_is_kept()
    {
        using var scenario = NewScenario();
        var now = _clock.GetUtcNow();
        var abandoned = SweeperScenario.Session(Id(), "ada", "sid-a", now, now.AddMinutes(1), now.AddHours(8));
        var active = SweeperScenario.Session(Id(), "ada", "sid-b", now, now.AddMinutes(1), now.AddHours(8));
        await scenario.SaveAsync([abandoned, active]);
        _clock.Advance(TimeSpan.FromMinutes(2));

        // Instance 0 claims the abandoned session and dies before ending it.
        var bucket = RedisKeys.BucketOf(abandoned.Id);
        Assert.Contains(abandoned.Id, await scenario.Stores[0].ClaimExpiredAsync(bucket, 10, RedisSessionSweeper.ClaimLease, CancellationToken.None));
        // The other session's activity reached the store, but not its schedule entry (that write is fire-and-forget).
        await redis.Multiplexer.GetDatabase().HashSetAsync(scenario.Keys.Session(active.Id), "e", _clock.GetUtcNow().AddMinutes(15).UtcTicks);

        await scenario.Sweepers[1].SweepAsync(CancellationToken.None);
        Assert.Empty(scenario.Ends);
        Assert.NotNull(await scenario.Stores[1].GetAsync(active.Id, CancellationToken.None));

        _clock.Advance(RedisSessionSweeper.ClaimLease);
        await scenario.Sweepers[1].SweepAsync(CancellationToken.None);
        Assert.Equal([abandoned.Id], scenario.Ends.Keys);
        Assert.NotNull(await scenario.Stores[1].GetAsync(active.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Where_redis_expires_sessions_itself_their_index_keys_outlive_them_and_go_after_their_absolute_limit()
    {
        // Real time, short lifetimes: the sessions end in five seconds (room for saving 500 of them on a busy machine),
        // Redis keeps them a second more (the grace), and their absolute limit is when that grace runs out.
        using var connection = RedisFixture.Connect(redis.Server.ConnectionString, RedisFixture.NewPrefix());
        var store = new RedisSessionStore(connection, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisSessionStore>.Instance)
        {
            ExpiredGrace = TimeSpan.FromSeconds(1),
        };
        var now = DateTimeOffset.UtcNow;
        var sessions = Enumerable.Range(0, 500)
            .Select(i => SweeperScenario.Session($"r{i}", $"ru{i % 50}", $"rsid{i % 100}", now, now.AddSeconds(5), now.AddSeconds(6)))
            .ToList();
        await Task.WhenAll(sessions.Select(s => store.SaveAsync(s, CancellationToken.None)));

        var db = redis.Multiplexer.GetDatabase();
        var sessionKeys = sessions.Select(s => connection.Keys.Session(s.Id)).ToArray();
        var indexKeys = sessions.SelectMany(s => new[] { connection.Keys.Subject(s.Subject), connection.Keys.ProviderSession(s.ProviderSessionId!) }).Distinct().ToArray();
        Assert.Equal(sessionKeys.Length, await db.KeyExistsAsync(sessionKeys));
        Assert.Equal(indexKeys.Length, await db.KeyExistsAsync(indexKeys));
        // Even with no BFF running, an index key goes by itself: at the latest its sessions' absolute limit, the grace and the margin.
        foreach (var index in indexKeys)
        {
            Assert.InRange((await db.KeyTimeToLiveAsync(index))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7) + RedisSessionStore.IndexMargin);
        }

        // While any session is left, every index key is there (read after them): none goes before its sessions.
        var (remaining, _) = await Polling.UntilAsync(async () =>
        {
            var sessionsLeft = await db.KeyExistsAsync(sessionKeys);
            var indexesLeft = await db.KeyExistsAsync(indexKeys);
            Assert.True(sessionsLeft == 0 || indexesLeft == indexKeys.Length, $"{indexKeys.Length - indexesLeft} index keys went before their sessions");
            return sessionsLeft;
        }, left => left == 0, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(5));
        Assert.Equal(0, remaining);

        // Their absolute limit has passed: lookups find nothing and prune the entries, which takes the index keys with them.
        foreach (var user in sessions.Select(s => s.Subject).Distinct())
        {
            Assert.Empty(await store.GetBySubjectAsync(user, CancellationToken.None));
        }

        foreach (var sid in sessions.Select(s => s.ProviderSessionId!).Distinct())
        {
            Assert.Empty(await store.GetByProviderSessionAsync(sid, CancellationToken.None));
        }

        await connection.PingAsync(CancellationToken.None);
        Assert.Equal(0, await db.KeyExistsAsync(indexKeys));

        // The schedule still names them: a sweep finds nothing to end and forgets them.
        var sweeper = new RedisSessionSweeper(store, new SessionTerminator(store, [], Microsoft.Extensions.Logging.Abstractions.NullLogger<SessionTerminator>.Instance),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisSessionSweeper>.Instance);
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        var scheduled = 0L;
        for (var bucket = 0; bucket < RedisKeys.ExpiryBuckets; bucket++)
        {
            scheduled += await db.SortedSetLengthAsync(connection.Keys.ExpiryBucket(bucket));
        }

        Assert.Equal(0, scheduled);
    }

    // A record that cannot be taken (here its expiry field is garbage, so the take script fails) is tried again
    // after its claim runs out; it does not stop the other sessions of its batch, nor the other buckets.
    [Fact]
    public async Task A_session_that_cannot_be_ended_does_not_hold_up_the_rest_of_the_sweep()
    {
        using var scenario = NewScenario();
        var now = _clock.GetUtcNow();
        var sessions = Enumerable.Range(0, 200)
            .Select(i => SweeperScenario.Session($"p{i}", $"pu{i % 20}", null, now.AddHours(-1), now.AddMinutes(1), now.AddHours(7)))
            .ToList();
        await scenario.SaveAsync(sessions);
        var poisoned = sessions[7];
        await redis.Multiplexer.GetDatabase().HashSetAsync(scenario.Keys.Session(poisoned.Id), "e", "not-a-time");
        _clock.Advance(TimeSpan.FromMinutes(2));

        var ended = await scenario.Sweepers[0].SweepAsync(CancellationToken.None);

        Assert.Equal(199, ended);
        Assert.Equal(sessions.Where(s => s != poisoned).Select(s => s.Id).Order(), scenario.Ends.Keys.Order());
    }

    private static string Id() => Guid.NewGuid().ToString("N");
}
