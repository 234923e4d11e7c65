using Bff.Tests.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Proxy;

/// <summary>
/// Open proxied streams end with their session: at once when it ends on this instance, at the next check when it
/// ended elsewhere or expired, and not while the store cannot answer.
/// </summary>
public sealed class SessionStreamsTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemorySessionStore _store;
    private readonly OutageStore _outage;
    private readonly SessionStreams _streams;
    private readonly CancellationToken _ct = CancellationToken.None;

    public SessionStreamsTests()
    {
        _store = new InMemorySessionStore(_time);
        _outage = new OutageStore(_store);
        var options = Options.Create(new BffOptions { Session = { StreamCheckInterval = Interval } });
        _streams = new SessionStreams(_outage, _time, options, NullLogger<SessionStreams>.Instance);
    }

    public void Dispose()
    {
        _streams.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task A_session_ended_here_closes_its_own_streams_at_once()
    {
        var mine = new[] { new Stream(), new Stream() };
        var other = new Stream();
        foreach (var stream in mine)
        {
            _streams.Track("s1", "api", stream.Close);
        }

        _streams.Track("s2", "api", other.Close);

        await _streams.OnSessionEndedAsync(await SaveAsync("s1"), SessionEndReason.SignOutEverywhere, _ct);

        Assert.All(mine, stream => Assert.Equal(1, stream.Closes));
        Assert.Equal(0, other.Closes);
        Assert.Equal(1, _streams.Count);
    }

    [Fact]
    public async Task A_stream_that_ended_by_itself_is_forgotten()
    {
        var finished = new Stream();
        var open = new Stream();
        _streams.Track("s1", "api", finished.Close).Dispose();
        _streams.Track("s1", "api", open.Close);
        Assert.Equal(1, _streams.Count);

        await _streams.OnSessionEndedAsync(await SaveAsync("s1"), SessionEndReason.SignOut, _ct);

        Assert.Equal(0, finished.Closes);
        Assert.Equal(1, open.Closes);
        Assert.Equal(0, _streams.Count);
    }

    [Fact]
    public async Task A_check_closes_exactly_the_streams_of_thousands_of_sessions_ended_elsewhere_or_expired()
    {
        // 3,000 sessions with 4,500 streams; 1,000 end on another instance (gone from the store, no observer told
        // here) and 500 expire without anyone ending them yet.
        var streams = new Dictionary<string, List<Stream>>();
        for (var i = 0; i < 3_000; i++)
        {
            var id = "s" + i;
            await SaveAsync(id, expiresIn: i % 6 == 1 ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(15));
            streams[id] = [.. Enumerable.Range(0, i % 2 + 1).Select(_ => new Stream())];
            foreach (var stream in streams[id])
            {
                _streams.Track(id, "api", stream.Close);
            }
        }

        var endedElsewhere = streams.Keys.Where((_, i) => i % 3 == 0).ToHashSet();
        foreach (var id in endedElsewhere)
        {
            await _store.RemoveAsync(id, _ct);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        await _streams.CheckAsync(_ct);

        var expired = streams.Keys.Where((_, i) => i % 6 == 1).ToHashSet();
        foreach (var (id, sessionStreams) in streams)
        {
            var expected = endedElsewhere.Contains(id) || expired.Contains(id) ? 1 : 0;
            Assert.All(sessionStreams, stream => Assert.Equal(expected, stream.Closes));
        }

        Assert.Equal(streams.Where(s => !endedElsewhere.Contains(s.Key) && !expired.Contains(s.Key)).Sum(s => s.Value.Count), _streams.Count);
    }

    [Fact]
    public async Task While_the_store_cannot_answer_the_streams_stay_open()
    {
        var stream = new Stream();
        await SaveAsync("s1");
        _streams.Track("s1", "api", stream.Close);
        await _store.RemoveAsync("s1", _ct);

        _outage.Down = true;
        await _streams.CheckAsync(_ct);
        Assert.Equal(0, stream.Closes);

        _outage.Down = false;
        await _streams.CheckAsync(_ct);
        Assert.Equal(1, stream.Closes);
    }

    [Fact]
    public async Task The_checks_run_on_the_time_providers_interval()
    {
        var stream = new Stream();
        await SaveAsync("s1");
        _streams.Track("s1", "api", stream.Close);
        await _store.RemoveAsync("s1", _ct);
        await _streams.StartAsync(_ct);

        // The service starts its timer on a thread of its own: keep moving the fake clock until a check has run.
        await Task.Delay(200);
        Assert.Equal(0, stream.Closes);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (stream.Closes == 0 && DateTime.UtcNow < deadline)
        {
            _time.Advance(Interval);
            await Task.Delay(20);
        }

        Assert.Equal(1, stream.Closes);
        await _streams.StopAsync(_ct);
    }

    private async Task<SessionRecord> SaveAsync(string id, TimeSpan? expiresIn = null)
    {
        var now = _time.GetUtcNow();
        var record = new SessionRecord
        {
            Id = id,
            PublicId = "p-" + id,
            Subject = "alice",
            CreatedAt = now,
            LastActivityAt = now,
            AbsoluteExpiresAt = now.AddHours(8),
            ExpiresAt = now + (expiresIn ?? TimeSpan.FromMinutes(15)),
            Ticket = [1, 2, 3],
            Stamp = 1,
        };
        await _store.SaveAsync(record, _ct);
        return record;
    }

    /// <summary>A stream's close action, counting its calls.</summary>
    private sealed class Stream
    {
        private int _closes;

        public int Closes => Volatile.Read(ref _closes);

        public void Close() => Interlocked.Increment(ref _closes);
    }

    /// <summary>The store, unable to answer while <see cref="Down"/>.</summary>
    private sealed class OutageStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public bool Down { get; set; }

        public override Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken) =>
            Down ? throw new SessionStoreUnavailableException("The test's store is down.") : base.GetStateAsync(id, cancellationToken);
    }
}
