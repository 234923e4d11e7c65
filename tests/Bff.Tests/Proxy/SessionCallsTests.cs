using Bff.Tests.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Proxy;

/// <summary>
/// Proxied calls in flight end with their session: at once when it ends on this instance, at the next check when it
/// ended elsewhere or expired, not while the store cannot answer, and never once their response is done (the server
/// reuses the context for the connection's next request).
/// </summary>
public sealed class SessionCallsTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemorySessionStore _store;
    private readonly TroubledStore _troubled;
    private readonly SessionCalls _calls;
    private readonly CancellationToken _ct = CancellationToken.None;

    public SessionCallsTests()
    {
        _store = new InMemorySessionStore(_time);
        _troubled = new TroubledStore(_store);
        var options = Options.Create(new BffOptions { Session = { StreamCheckInterval = Interval } });
        _calls = new SessionCalls(_troubled, _time, options, NullLogger<SessionCalls>.Instance);
    }

    public void Dispose()
    {
        _calls.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task A_session_ended_here_aborts_its_own_calls_at_once()
    {
        var mine = new[] { Start("s1"), Start("s1") };
        var other = Start("s2");

        await _calls.OnSessionEndedAsync(await SaveAsync("s1"), SessionEndReason.SignOutEverywhere, _ct);

        Assert.All(mine, call => Assert.Equal(1, call.Aborts));
        Assert.Equal(0, other.Aborts);
        Assert.Equal(1, _calls.Count);
    }

    // The call read its session just before the session ended here, and starts just after the end found no call to
    // abort: it used to run until the next check. Now it is not made (the proxy answers session_ended instead).
    [Fact]
    public async Task A_call_that_starts_just_after_its_session_ended_here_is_not_made()
    {
        await _calls.OnSessionEndedAsync(await SaveAsync("s1"), SessionEndReason.SignOutEverywhere, _ct);

        var late = new FakeCall(abortThrows: false);
        var other = new FakeCall(abortThrows: false);

        Assert.False(_calls.Track(late.Context, "s1", "api"));
        Assert.True(_calls.Track(other.Context, "s2", "api"));
        Assert.Equal(1, _calls.Count);
        await late.CompleteAsync();
        Assert.Equal(1, _calls.Count);
    }

    [Fact]
    public async Task Only_the_latest_sessions_ended_here_are_remembered_older_ones_are_left_to_the_check()
    {
        var record = await SaveAsync("template");
        for (var i = 0; i <= SessionCalls.EndedHereCapacity; i++)
        {
            await _calls.OnSessionEndedAsync(record with { Id = "e" + i }, SessionEndReason.SignOut, _ct);
        }

        Assert.True(_calls.Track(new FakeCall(abortThrows: false).Context, "e0", "api"));
        Assert.False(_calls.Track(new FakeCall(abortThrows: false).Context, "e1", "api"));
        Assert.False(_calls.Track(new FakeCall(abortThrows: false).Context, "e" + SessionCalls.EndedHereCapacity, "api"));
        Assert.Equal(1, _calls.Count);
    }

    [Fact]
    public async Task A_call_whose_response_is_done_is_never_aborted_its_context_serves_the_next_request()
    {
        var finished = Start("s1");
        var open = Start("s1");
        await finished.CompleteAsync();
        Assert.Equal(1, _calls.Count);

        await _calls.OnSessionEndedAsync(await SaveAsync("s1"), SessionEndReason.SignOut, _ct);

        Assert.Equal(0, finished.Aborts);
        Assert.Equal(1, open.Aborts);
        await open.CompleteAsync();
        Assert.Equal(0, _calls.Count);
    }

    [Fact]
    public async Task A_call_that_cannot_be_aborted_does_not_spare_the_sessions_other_calls()
    {
        var broken = Start("s1", abortThrows: true);
        var next = Start("s1");

        await _calls.OnSessionEndedAsync(await SaveAsync("s1"), SessionEndReason.SignOut, _ct);

        Assert.Equal(1, broken.Aborts);
        Assert.Equal(1, next.Aborts);
    }

    [Fact]
    public async Task A_check_aborts_exactly_the_calls_of_thousands_of_sessions_ended_elsewhere_or_expired()
    {
        // 3,000 sessions with 4,500 calls; 1,000 end on another instance (gone from the store, no observer told
        // here) and 500 expire without anyone ending them yet.
        var calls = new Dictionary<string, List<FakeCall>>();
        for (var i = 0; i < 3_000; i++)
        {
            var id = "s" + i;
            await SaveAsync(id, expiresIn: i % 6 == 1 ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(15));
            calls[id] = [.. Enumerable.Range(0, i % 2 + 1).Select(_ => Start(id))];
        }

        var endedElsewhere = calls.Keys.Where((_, i) => i % 3 == 0).ToHashSet();
        foreach (var id in endedElsewhere)
        {
            await _store.RemoveAsync(id, _ct);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        await _calls.CheckAsync(_ct);

        var expired = calls.Keys.Where((_, i) => i % 6 == 1).ToHashSet();
        foreach (var (id, sessionCalls) in calls)
        {
            var expected = endedElsewhere.Contains(id) || expired.Contains(id) ? 1 : 0;
            Assert.All(sessionCalls, call => Assert.Equal(expected, call.Aborts));
        }

        Assert.Equal(calls.Where(s => !endedElsewhere.Contains(s.Key) && !expired.Contains(s.Key)).Sum(s => s.Value.Count), _calls.Count);
    }

    [Fact]
    public async Task While_the_store_cannot_answer_calls_go_on_and_the_check_stops_asking()
    {
        var calls = new List<FakeCall>();
        for (var i = 0; i < 1_000; i++)
        {
            calls.Add(Start("s" + i));
        }

        _troubled.Down = true;
        await _calls.CheckAsync(_ct);
        Assert.All(calls, call => Assert.Equal(0, call.Aborts));
        // Not a deadline wait per session: the check gives up once the store is known to be down. The reads already
        // under way finish, and each worker may have begun one more as the first failed: at most two per worker.
        Assert.True(_troubled.Reads is > 0 and <= 2 * SessionCalls.CheckConcurrency, $"The store was asked {_troubled.Reads} times.");

        _troubled.Down = false;
        await _calls.CheckAsync(_ct);
        Assert.All(calls, call => Assert.Equal(1, call.Aborts));
    }

    [Fact]
    public async Task A_session_the_store_fails_on_does_not_stop_the_check_of_the_others()
    {
        var troubled = Start("s-broken");
        var ended = Start("s-ended");
        _troubled.FailsOn = "s-broken";

        await _calls.CheckAsync(_ct);

        Assert.Equal(0, troubled.Aborts);
        Assert.Equal(1, ended.Aborts);
    }

    [Fact]
    public async Task The_checks_run_on_the_time_providers_interval_and_survive_a_failing_store()
    {
        var call = Start("s1");
        _troubled.FailsOn = "s1";
        await _calls.StartAsync(_ct);

        // The service starts its timer on a thread of its own: keep moving the fake clock until checks have run.
        await Task.Delay(200);
        Assert.Equal(0, call.Aborts);
        await Polling.UntilAsync(() => Task.FromResult(AdvanceThen(() => _troubled.Reads >= 2)), TimeSpan.FromSeconds(10), "two failing checks");

        _troubled.FailsOn = null;
        await Polling.UntilAsync(() => Task.FromResult(AdvanceThen(() => call.Aborts > 0)), TimeSpan.FromSeconds(10), "a check that aborts");

        Assert.Equal(1, call.Aborts);
        await _calls.StopAsync(_ct);
    }

    // One more interval on the fake clock, then the condition: polled, it moves the clock until the checks have run.
    private bool AdvanceThen(Func<bool> condition)
    {
        _time.Advance(Interval);
        return condition();
    }

    private FakeCall Start(string storageId, bool abortThrows = false)
    {
        var call = new FakeCall(abortThrows);
        _calls.Track(call.Context, storageId, "api");
        return call;
    }

    private async Task<SessionRecord> SaveAsync(string id, TimeSpan? expiresIn = null)
    {
        var record = TestSessionRecords.Alice(id, _time.GetUtcNow(), expiresIn) with { Stamp = 1 };
        await _store.SaveAsync(record, _ct);
        return record;
    }

    /// <summary>A request whose aborts are counted, and whose response the test completes (running what was registered for its end).</summary>
    private sealed class FakeCall : HttpResponseFeature, IHttpRequestLifetimeFeature
    {
        private readonly bool _abortThrows;
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];
        private int _aborts;

        public FakeCall(bool abortThrows)
        {
            _abortThrows = abortThrows;
            Context = new DefaultHttpContext();
            Context.Features.Set<IHttpResponseFeature>(this);
            Context.Features.Set<IHttpRequestLifetimeFeature>(this);
        }

        public HttpContext Context { get; }

        public int Aborts => Volatile.Read(ref _aborts);

        public CancellationToken RequestAborted { get; set; }

        public void Abort()
        {
            Interlocked.Increment(ref _aborts);
            if (_abortThrows)
            {
                throw new ObjectDisposedException("the request");
            }
        }

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Add((callback, state));

        public async Task CompleteAsync()
        {
            foreach (var (callback, state) in _completed)
            {
                await callback(state);
            }
        }
    }

    /// <summary>The store, unable to answer while <see cref="Down"/>, failing on one session's state, counting state reads.</summary>
    private sealed class TroubledStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        private int _reads;

        public bool Down { get; set; }

        public string? FailsOn { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public override async Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            // Down fails at once, as a client that knows its connection is gone does.
            if (Down)
            {
                throw new SessionStoreUnavailableException("The test's store is down.");
            }

            await Task.Yield();
            return id == FailsOn ? throw new TaskCanceledException("The app's store timed out on its own.")
                : await base.GetStateAsync(id, cancellationToken);
        }
    }
}
