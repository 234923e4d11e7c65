using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

public sealed class SessionTerminatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemorySessionStore _store;
    private readonly RecordingObserver _observer = new();
    private readonly SessionTerminator _terminator;
    private readonly CancellationToken _ct = CancellationToken.None;

    public SessionTerminatorTests()
    {
        _store = new InMemorySessionStore(_time);
        // A recording observer, and one that always throws.
        _terminator = new SessionTerminator(_store, [_observer, new FailingObserver()], NullLogger<SessionTerminator>.Instance);
    }

    [Fact]
    public async Task Ending_removes_the_session_and_tells_the_observers_why()
    {
        await _store.SaveAsync(Record("s1"), _ct);

        var ended = await _terminator.EndAsync("s1", SessionEndReason.BackChannel);

        Assert.True(ended);
        Assert.Null(await _store.GetAsync("s1", _ct));
        var (session, reason) = Assert.Single(_observer.Ended);
        Assert.Equal("s1", session.Id);
        Assert.Equal(SessionEndReason.BackChannel, reason);
    }

    [Fact]
    public async Task Ending_a_session_that_is_gone_is_a_no_op()
    {
        await _store.SaveAsync(Record("s1"), _ct);
        await _terminator.EndAsync("s1", SessionEndReason.SignOut);

        Assert.False(await _terminator.EndAsync("s1", SessionEndReason.SignOut));
        Assert.False(await _terminator.EndAsync("never-existed", SessionEndReason.SignOut));
        Assert.Single(_observer.Ended);
    }

    [Fact]
    public async Task A_failing_observer_does_not_stop_the_session_from_ending()
    {
        await _store.SaveAsync(Record("s1"), _ct);
        await _store.SaveAsync(Record("s2"), _ct);

        Assert.True(await _terminator.EndAsync("s1", SessionEndReason.SignOut));
        Assert.True(await _terminator.EndAsync("s2", SessionEndReason.SignOutEverywhere));

        Assert.Equal(2, _observer.Ended.Count);
        Assert.Empty(await _store.GetBySubjectAsync("alice", _ct));
    }

    [Fact]
    public async Task Concurrent_ends_tell_the_observers_once()
    {
        await _store.SaveAsync(Record("s1"), _ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _terminator.EndAsync("s1", SessionEndReason.SignOut))));

        Assert.Single(results, r => r);
        Assert.Single(_observer.Ended);
    }

    [Fact]
    public async Task A_slow_observer_does_not_hold_back_the_others()
    {
        // Revoking a refresh token at a slow provider must not delay remembering why the session ended.
        var slow = new BlockingObserver();
        var quick = new RecordingObserver();
        var terminator = new SessionTerminator(_store, [slow, quick], NullLogger<SessionTerminator>.Instance);
        await _store.SaveAsync(Record("s1"), _ct);

        var ending = terminator.EndAsync("s1", SessionEndReason.BackChannel);

        await slow.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(quick.Ended);
        Assert.False(ending.IsCompleted);
        slow.Release.SetResult();
        Assert.True(await ending);
    }

    [Fact]
    public async Task Every_session_given_is_ended_and_reported_even_when_an_observer_gives_up()
    {
        // An observer's own time limit surfaces as a cancellation; with no caller's token in play, it must not
        // stop the sessions after it from ending (sign out everywhere, a back-channel logout, the session limit).
        var terminator = new SessionTerminator(_store, [new GivingUpObserver(), _observer], NullLogger<SessionTerminator>.Instance);
        var sessions = new[] { Record("s1"), Record("s2"), Record("s3") };
        foreach (var session in sessions)
        {
            await _store.SaveAsync(session, _ct);
        }

        Assert.Equal(3, await terminator.EndEachAsync(sessions, SessionEndReason.SignOutEverywhere));

        Assert.Empty(await _store.GetBySubjectAsync("alice", _ct));
        Assert.Equal(["s1", "s2", "s3"], _observer.Ended.Select(e => e.Session.Id).Order());
        Assert.All(_observer.Ended, e => Assert.Equal(SessionEndReason.SignOutEverywhere, e.Reason));
    }

    // A sign-in saved after the first listing, while the ends are under way, is found by the second, even when the
    // caller has gone by then (a browser dropping its sign out everywhere).
    [Fact]
    public async Task Ending_all_lists_again_and_ends_a_session_saved_meanwhile()
    {
        using var caller = new CancellationTokenSource();
        var signIn = new SavingObserver(_store, Record("s3"), caller);
        var terminator = new SessionTerminator(_store, [signIn, _observer], NullLogger<SessionTerminator>.Instance);
        await _store.SaveAsync(Record("s1"), _ct);
        await _store.SaveAsync(Record("s2"), _ct);
        var listings = 0;

        var ended = await terminator.EndAllAsync(
            async cancellationToken =>
            {
                listings++;
                return await _store.GetBySubjectAsync("alice", cancellationToken);
            },
            SessionEndReason.SignOutEverywhere, caller.Token);

        Assert.Equal(3, ended);
        Assert.Equal(2, listings);
        Assert.Empty(await _store.GetBySubjectAsync("alice", _ct));
        Assert.Equal(["s1", "s2", "s3"], _observer.Ended.Select(e => e.Session.Id).Order());
    }

    private SessionRecord Record(string id) => TestSessionRecords.Alice(id, _time.GetUtcNow());

    // Saves a session when the first end is reported, and cancels the caller's token.
    private sealed class SavingObserver(InMemorySessionStore store, SessionRecord newcomer, CancellationTokenSource caller) : ISessionEndObserver
    {
        private int _saved;

        public async Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _saved, 1) == 0)
            {
                await store.SaveAsync(newcomer, CancellationToken.None);
                await caller.CancelAsync();
            }
        }
    }

    private sealed class RecordingObserver : ISessionEndObserver
    {
        public List<(SessionRecord Session, SessionEndReason Reason)> Ended { get; } = [];

        public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
        {
            lock (Ended)
            {
                Ended.Add((session, reason));
            }

            return Task.CompletedTask;
        }
    }

    private sealed class BlockingObserver : ISessionEndObserver
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
        {
            Entered.SetResult();
            await Release.Task;
        }
    }

    private sealed class GivingUpObserver : ISessionEndObserver
    {
        public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken) =>
            throw new TaskCanceledException("the observer's own time limit");
    }

    private sealed class FailingObserver : ISessionEndObserver
    {
        public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("observer failed");
    }
}
