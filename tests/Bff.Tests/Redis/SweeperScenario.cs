using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>
/// Thousands of abandoned sessions on one Redis (single or cluster), ended by two sweeping instances: shared by
/// the single-server and the cluster tests. Records every end it is told about.
/// </summary>
internal sealed class SweeperScenario : IDisposable
{
    private readonly List<RedisConnection> _connections = [];

    public SweeperScenario(Func<string, RedisConnection> connect, IConnectionMultiplexer inspector, FakeTimeProvider clock, int instances = 2)
    {
        Inspector = inspector;
        Clock = clock;
        Prefix = RedisFixture.NewPrefix();
        for (var i = 0; i < instances; i++)
        {
            var connection = connect(Prefix);
            _connections.Add(connection);
            var store = new RedisSessionStore(connection, clock, NullLogger<RedisSessionStore>.Instance);
            Stores.Add(store);
            var terminator = new SessionTerminator(store, [new Recorder(this)], NullLogger<SessionTerminator>.Instance);
            Sweepers.Add(new RedisSessionSweeper(store, terminator, clock, NullLogger<RedisSessionSweeper>.Instance));
        }
    }

    public string Prefix { get; }

    public FakeTimeProvider Clock { get; }

    public IConnectionMultiplexer Inspector { get; }

    public List<RedisSessionStore> Stores { get; } = [];

    public List<RedisSessionSweeper> Sweepers { get; } = [];

    public RedisKeys Keys => _connections[0].Keys;

    /// <summary>Every end reported, by storage id: reason and the clock when it was reported.</summary>
    public ConcurrentDictionary<string, List<(SessionEndReason Reason, DateTimeOffset At)>> Ends { get; } = new();

    public static SessionRecord Session(string id, string subject, string? sid, DateTimeOffset createdAt, DateTimeOffset expiresAt, DateTimeOffset absoluteExpiresAt) => new()
    {
        Id = id,
        PublicId = "p-" + id,
        Subject = subject,
        ProviderSessionId = sid,
        CreatedAt = createdAt,
        LastActivityAt = createdAt,
        AbsoluteExpiresAt = absoluteExpiresAt,
        ExpiresAt = expiresAt,
        UserAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        IpAddress = "203.0.113.7",
        Ticket = new byte[1200],
    };

    /// <summary>Saves the sessions through the first instance, many at a time.</summary>
    public async Task SaveAsync(IReadOnlyList<SessionRecord> sessions)
    {
        foreach (var chunk in sessions.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(s => Stores[0].SaveAsync(s, CancellationToken.None)));
        }
    }

    /// <summary>Every instance sweeps at once; returns how many each ended and the wall time taken.</summary>
    public async Task<(int[] Ended, TimeSpan Elapsed)> SweepAllAsync()
    {
        var clock = Stopwatch.StartNew();
        var ended = await Task.WhenAll(Sweepers.Select(s => Task.Run(() => s.SweepAsync(CancellationToken.None))));
        return (ended, clock.Elapsed);
    }

    /// <summary>Every key under this scenario's prefix, on every primary.</summary>
    public List<string> RemainingKeys()
    {
        var keys = new List<string>();
        foreach (var endpoint in Inspector.GetEndPoints())
        {
            var server = Inspector.GetServer(endpoint);
            if (server.IsConnected && !server.IsReplica)
            {
                keys.AddRange(server.Keys(pattern: Prefix + "*", pageSize: 1000).Select(k => (string)k!));
            }
        }

        return keys;
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    private sealed class Recorder(SweeperScenario scenario) : ISessionEndObserver
    {
        public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
        {
            var list = scenario.Ends.GetOrAdd(session.Id, _ => []);
            lock (list)
            {
                list.Add((reason, scenario.Clock.GetUtcNow()));
            }

            return Task.CompletedTask;
        }
    }
}
