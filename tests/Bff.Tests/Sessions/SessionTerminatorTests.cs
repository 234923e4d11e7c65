using Bff.Sessions;

namespace Bff.Tests.Sessions;

public sealed class SessionTerminatorTests : IDisposable
{
    private readonly SessionHarness _h = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Ending_removes_the_session_and_tells_the_observers_why()
    {
        await _h.Store.SaveAsync(_h.Record("s1"), _ct);

        var ended = await _h.Terminator.EndAsync("s1", SessionEndReason.BackChannel, _ct);

        Assert.True(ended);
        Assert.Null(await _h.Store.GetAsync("s1", _ct));
        var (session, reason) = Assert.Single(_h.Observer.Ended);
        Assert.Equal("s1", session.Id);
        Assert.Equal(SessionEndReason.BackChannel, reason);
    }

    [Fact]
    public async Task Ending_a_session_that_is_gone_is_a_no_op()
    {
        await _h.Store.SaveAsync(_h.Record("s1"), _ct);
        await _h.Terminator.EndAsync("s1", SessionEndReason.SignOut, _ct);

        var again = await _h.Terminator.EndAsync("s1", SessionEndReason.SignOut, _ct);
        var unknown = await _h.Terminator.EndAsync("never-existed", SessionEndReason.SignOut, _ct);

        Assert.False(again);
        Assert.False(unknown);
        Assert.Single(_h.Observer.Ended);
    }

    [Fact]
    public async Task A_failing_observer_does_not_stop_the_session_from_ending()
    {
        // The harness registers a recording observer and one that always throws.
        await _h.Store.SaveAsync(_h.Record("s1"), _ct);
        await _h.Store.SaveAsync(_h.Record("s2"), _ct);

        Assert.True(await _h.Terminator.EndAsync("s1", SessionEndReason.SignOut, _ct));
        Assert.True(await _h.Terminator.EndAsync("s2", SessionEndReason.SignOutEverywhere, _ct));

        Assert.Equal(2, _h.Observer.Ended.Count);
        Assert.Empty(await _h.Store.GetBySubjectAsync("alice", _ct));
    }

    [Fact]
    public async Task Concurrent_ends_tell_the_observers_once()
    {
        await _h.Store.SaveAsync(_h.Record("s1"), _ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _h.Terminator.EndAsync("s1", SessionEndReason.SignOut, _ct))));

        Assert.Single(results, r => r);
        Assert.Single(_h.Observer.Ended);
    }
}
