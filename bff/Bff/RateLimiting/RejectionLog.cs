using System.Collections.Concurrent;

namespace Bff.RateLimiting;

/// <summary>
/// Which rejections are logged: a client's first in each <see cref="Interval"/>, with how many of its rejections
/// went unlogged before it. A flood the limiter turns away cheaply must not become a flood of log lines.
/// </summary>
internal sealed class RejectionLog(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Clients remembered at once; past it, those not logged within the interval are forgotten (or all, in a flood
    // from that many clients: the worst is one more line each).
    internal const int MaxClients = 10_000;

    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);

    /// <summary>True when this rejection of <paramref name="client"/> is to be logged; <paramref name="unlogged"/> then says how many were not since its last line.</summary>
    public bool ShouldLog(string client, out int unlogged)
    {
        var now = time.GetUtcNow();
        var state = _clients.GetOrAdd(client, static _ => new Client());
        lock (state)
        {
            if (state.LoggedAt is { } at && now - at < Interval)
            {
                state.Unlogged++;
                unlogged = 0;
                return false;
            }

            unlogged = state.Unlogged;
            state.Unlogged = 0;
            state.LoggedAt = now;
        }

        if (_clients.Count > MaxClients)
        {
            Forget(now);
        }

        return true;
    }

    internal int Remembered => _clients.Count;

    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, state) in _clients)
        {
            if (state.LoggedAt is { } at && now - at >= Interval)
            {
                _clients.TryRemove(key, out _);
            }
        }

        if (_clients.Count > MaxClients)
        {
            _clients.Clear();
        }
    }

    private sealed class Client
    {
        public DateTimeOffset? LoggedAt { get; set; }

        public int Unlogged { get; set; }
    }
}
