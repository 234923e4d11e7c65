using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions.Audit;

public sealed class InMemoryAuditTrailTests
{
    private static AuditEvent Event(string sub, int n) => new()
    {
        Kind = AuditEventKinds.Created,
        At = DateTimeOffset.UnixEpoch.AddMinutes(n),
        Subject = sub,
        SessionId = "s" + n,
    };

    [Fact]
    public async Task Keeps_the_last_events_of_each_user_newest_first()
    {
        var options = new BffOptions();
        options.Session.AuditEventsPerUser = 3;
        var trail = new InMemoryAuditTrail(Options.Create(options), new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddHours(1)));

        for (var i = 1; i <= 5; i++)
        {
            await trail.AppendAsync(Event("alice", i), default);
        }

        await trail.AppendAsync(Event("bob", 9), default);

        Assert.Equal(["s5", "s4", "s3"], (await trail.GetRecentAsync("alice", default)).Select(e => e.SessionId));
        Assert.Equal(["s9"], (await trail.GetRecentAsync("bob", default)).Select(e => e.SessionId));
        Assert.Empty(await trail.GetRecentAsync("carol", default));
    }

    [Fact]
    public async Task Events_older_than_the_retention_are_neither_shown_nor_kept()
    {
        var options = new BffOptions();
        options.Session.AuditRetention = TimeSpan.FromMinutes(10);
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var trail = new InMemoryAuditTrail(Options.Create(options), clock);
        await trail.AppendAsync(Event("alice", 0), default);
        await trail.AppendAsync(Event("alice", 5), default);

        clock.Advance(TimeSpan.FromMinutes(12));
        Assert.Equal(["s5"], (await trail.GetRecentAsync("alice", default)).Select(e => e.SessionId));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await trail.GetRecentAsync("alice", default));

        // The trail goes on with new events.
        await trail.AppendAsync(Event("alice", 17), default);
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(["s17"], (await trail.GetRecentAsync("alice", default)).Select(e => e.SessionId));
    }

    [Fact]
    public async Task An_event_already_older_than_the_retention_is_dropped_on_arrival_without_failing()
    {
        var options = new BffOptions();
        options.Session.AuditRetention = TimeSpan.FromMinutes(10);
        var trail = new InMemoryAuditTrail(Options.Create(options), new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddHours(1)));

        await trail.AppendAsync(Event("alice", 0), default);

        Assert.Empty(await trail.GetRecentAsync("alice", default));
    }
}
