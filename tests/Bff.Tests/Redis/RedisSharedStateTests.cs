using Bff.Tests.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Redis;

/// <summary>The small shared stores with Redis behind them: replay cache, end reasons, audit trail, session count.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSharedStateTests(RedisFixture redis) : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly RedisConnection _connection = redis.Connect(RedisFixture.NewPrefix());
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task A_value_is_new_once_across_instances_and_expires_with_its_ttl()
    {
        var first = new RedisReplayCache(_connection, _clock);
        using var otherConnection = redis.Connect(_connection.Keys.Prefix);
        var other = new RedisReplayCache(otherConnection, _clock);

        Assert.True(await first.TryAddAsync("jti-1", _clock.GetUtcNow().AddSeconds(30), _ct));
        Assert.False(await other.TryAddAsync("jti-1", _clock.GetUtcNow().AddSeconds(30), _ct));
        Assert.True(await other.TryAddAsync("jti-2", _clock.GetUtcNow().AddSeconds(30), _ct));

        var ttl = await redis.Inspect.KeyTimeToLiveAsync(_connection.Keys.Replay("jti-1"));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_forgotten_value_is_new_again_on_every_instance()
    {
        var first = new RedisReplayCache(_connection, _clock);
        using var otherConnection = redis.Connect(_connection.Keys.Prefix);
        var other = new RedisReplayCache(otherConnection, _clock);
        Assert.True(await first.TryAddAsync("jti-1", _clock.GetUtcNow().AddSeconds(30), _ct));
        Assert.True(await first.TryAddAsync("jti-2", _clock.GetUtcNow().AddSeconds(30), _ct));

        await first.RemoveAsync("jti-1");

        Assert.True(await other.TryAddAsync("jti-1", _clock.GetUtcNow().AddSeconds(30), _ct));
        Assert.False(await other.TryAddAsync("jti-2", _clock.GetUtcNow().AddSeconds(30), _ct));
    }

    [Fact]
    public async Task An_end_reason_is_found_until_forgotten()
    {
        var store = new RedisEndedSessionStore(_connection, _clock);

        await store.RememberAsync("s1", SessionEndReason.EndedFromOtherSession, _clock.GetUtcNow().AddMinutes(5), _ct);

        Assert.Equal(SessionEndReason.EndedFromOtherSession, await store.FindAsync("s1", _ct));
        await store.ForgetAsync("s1", _ct);
        Assert.Null(await store.FindAsync("s1", _ct));
        Assert.Null(await store.FindAsync("never", _ct));
    }

    [Fact]
    public async Task The_audit_trail_keeps_the_newest_events_up_to_the_cap()
    {
        var options = Options.Create(new BffOptions { Session = { AuditEventsPerUser = 3 } });
        var trail = new RedisAuditTrail(_connection, options, _clock);

        for (var i = 0; i < 5; i++)
        {
            await trail.AppendAsync(new AuditEvent
            {
                Kind = AuditEventKinds.Created,
                At = _clock.GetUtcNow().AddSeconds(i),
                Subject = "alice",
                SessionId = "p" + i,
                Device = "Firefox on Linux",
            }, _ct);
        }

        var recent = await trail.GetRecentAsync("alice", _ct);
        Assert.Equal(["p4", "p3", "p2"], recent.Select(e => e.SessionId));
        Assert.Equal("Firefox on Linux", recent[0].Device);
        Assert.Empty(await trail.GetRecentAsync("bob", _ct));
        Assert.Equal(3, await redis.Inspect.StreamLengthAsync(_connection.Keys.AuditTrail("alice")));
    }

    [Fact]
    public async Task Audit_streams_forget_events_past_the_retention_and_the_user_stream_expires_with_it()
    {
        var options = Options.Create(new BffOptions { Session = { AuditEventsPerUser = 50, AuditRetention = TimeSpan.FromDays(30) } });
        var trail = new RedisAuditTrail(_connection, options, _clock);
        AuditEvent Event(string id) => new() { Kind = AuditEventKinds.Ended, At = _clock.GetUtcNow(), Subject = "carol", SessionId = id, Reason = "IdleTimeout" };

        await trail.AppendAsync(Event("old"), _ct);
        _clock.Advance(TimeSpan.FromDays(20));
        await trail.AppendAsync(Event("middle"), _ct);
        _clock.Advance(TimeSpan.FromDays(15));

        // "old" is 35 days old: no longer read, and dropped from both streams by the next write.
        Assert.Equal(["middle"], (await trail.GetRecentAsync("carol", _ct)).Select(e => e.SessionId));
        await trail.AppendAsync(Event("new"), _ct);
        Assert.Equal(["new", "middle"], (await trail.GetRecentAsync("carol", _ct)).Select(e => e.SessionId));
        Assert.Equal(2, await redis.Inspect.StreamLengthAsync(_connection.Keys.AuditTrail("carol")));
        Assert.Equal(2, await redis.Inspect.StreamLengthAsync(_connection.Keys.AuditLog));

        // The log stream is there for auditors: every event, as JSON, with the reason.
        var log = await redis.Inspect.StreamRangeAsync(_connection.Keys.AuditLog);
        Assert.Contains("\"reason\":\"IdleTimeout\"", (string)log[^1]["e"]!);

        var ttl = await redis.Inspect.KeyTimeToLiveAsync(_connection.Keys.AuditTrail("carol"));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(29), TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task The_stream_of_every_users_events_keeps_at_most_its_cap_newest_first()
    {
        var options = Options.Create(new BffOptions { Session = { AuditLogMaxEvents = 1_000 } });
        var trail = new RedisAuditTrail(_connection, options, _clock);

        // Sign-ins by 1,500 users within the retention period.
        for (var i = 0; i < 1_500; i++)
        {
            await trail.AppendAsync(new AuditEvent
            {
                Kind = AuditEventKinds.Created, At = _clock.GetUtcNow().AddMilliseconds(i), Subject = "user-" + i, SessionId = "s" + i,
            }, _ct);
        }

        Assert.Equal(1_000, await redis.Inspect.StreamLengthAsync(_connection.Keys.AuditLog));
        var log = await redis.Inspect.StreamRangeAsync(_connection.Keys.AuditLog, count: 1, messageOrder: StackExchange.Redis.Order.Descending);
        Assert.Contains("\"sessionId\":\"s1499\"", (string)log[0]["e"]!);
        // Each user's own stream is not affected by the cap on the shared one.
        Assert.Equal(1, await redis.Inspect.StreamLengthAsync(_connection.Keys.AuditTrail("user-0")));
    }

    [Fact]
    public async Task An_acl_user_with_a_password_connects_as_that_user()
    {
        var prefix = RedisFixture.NewPrefix();
        await redis.Inspect.ExecuteAsync("ACL", "SETUSER", "bff-acl", "on", ">acl-secret", "~" + prefix + "*", "+@all");
        using var connection = RedisFixture.Connect(redis.Server.ConnectionString + ",user=bff-acl,password=acl-secret", prefix);

        Assert.True(await new RedisReplayCache(connection, _clock).TryAddAsync("acl", _clock.GetUtcNow().AddMinutes(1), _ct));
        Assert.Contains("user=bff-acl", (string)(await redis.Inspect.ExecuteAsync("CLIENT", "LIST"))!);
    }

    [Fact]
    public async Task The_count_is_of_live_sessions_only()
    {
        var store = new RedisSessionStore(_connection, _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisSessionStore>.Instance);
        SessionRecord Session(string id, TimeSpan lifetime) => TestSessionRecords.Alice(id, _clock.GetUtcNow(), lifetime);

        await store.SaveAsync(Session("short", TimeSpan.FromMinutes(1)), _ct);
        await store.SaveAsync(Session("long", TimeSpan.FromMinutes(10)), _ct);
        await store.SaveAsync(Session("gone", TimeSpan.FromMinutes(10)), _ct);
        await store.RemoveAsync("gone", _ct);
        Assert.Equal(2, await store.CountAsync(_ct));

        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await store.CountAsync(_ct));

        // Activity moves the expiry, and the count follows it.
        await store.TouchAsync("long", _clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(30), _ct);
        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(1, await store.CountAsync(_ct));
    }
}
