
namespace Bff.Tests.Sessions;

/// <summary><c>Bff:Session:MaxPerUser</c>: a user's sign-in beyond the limit ends their oldest session.</summary>
public sealed class SessionLimitPerUserTests : IDisposable
{
    private readonly SessionHarness _harness = new(options => options.Session.MaxPerUser = 3);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Signing_in_beyond_the_limit_ends_the_oldest_session_with_its_reason()
    {
        var keys = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            keys.Add((await _harness.SignInAsync("alice", $"sid-{i}")).Key);
            _harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var (bobKey, _) = await _harness.SignInAsync("bob", "sid-bob");

        var live = await _harness.Store.GetBySubjectAsync("alice", default);
        Assert.Equal(3, live.Count);
        Assert.Null(await _harness.SessionAsync(keys[0]));
        Assert.Null(await _harness.SessionAsync(keys[1]));
        foreach (var key in keys[2..])
        {
            Assert.NotNull(await _harness.SessionAsync(key));
        }

        // Another user is not affected by alice's limit.
        Assert.NotNull(await _harness.SessionAsync(bobKey));

        var ends = (await _harness.Trail.GetRecentAsync("alice", default)).Where(e => e.Kind == AuditEventKinds.Ended).ToList();
        Assert.Equal(2, ends.Count);
        Assert.All(ends, e => Assert.Equal(nameof(SessionEndReason.SessionLimit), e.Reason));
    }
}
