using Microsoft.Extensions.Options;

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
        var trail = new InMemoryAuditTrail(Options.Create(options));

        for (var i = 1; i <= 5; i++)
        {
            await trail.AppendAsync(Event("alice", i), default);
        }

        await trail.AppendAsync(Event("bob", 9), default);

        Assert.Equal(["s5", "s4", "s3"], (await trail.GetRecentAsync("alice", default)).Select(e => e.SessionId));
        Assert.Equal(["s9"], (await trail.GetRecentAsync("bob", default)).Select(e => e.SessionId));
        Assert.Empty(await trail.GetRecentAsync("carol", default));
    }
}
