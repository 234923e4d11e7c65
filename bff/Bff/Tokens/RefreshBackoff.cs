namespace Bff.Tokens;

/// <summary>
/// After the provider failed a session's refresh, no new attempt until the back-off passes: 1 s, doubling to
/// 30 s. A refusal or a success clears it. Only this process's attempts count.
/// </summary>
internal sealed class RefreshBackoff(TimeProvider time)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Whether the session's last refresh failed too recently to try again.</summary>
    public bool IsWaiting(string sessionId) => _entries.TryGetValue(sessionId, out var entry) && time.GetUtcNow() < entry.RetryAt;

    /// <summary>Notes a failed attempt; returns how long until the next.</summary>
    public TimeSpan Failed(string sessionId)
    {
        ForgetStale();
        var now = time.GetUtcNow();
        return _entries.AddOrUpdate(sessionId, _ => new Entry(First, now + First), (_, e) => e.Next(now)).Delay;
    }

    public void Clear(string sessionId) => _entries.TryRemove(sessionId, out _);

    // Back-offs of sessions that ended during an outage would otherwise stay forever.
    private void ForgetStale()
    {
        var stale = time.GetUtcNow() - Max;
        foreach (var (id, entry) in _entries)
        {
            if (entry.RetryAt < stale)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
            }
        }
    }

    private sealed record Entry(TimeSpan Delay, DateTimeOffset RetryAt)
    {
        public Entry Next(DateTimeOffset now) => Delay * 2 < Max ? new(Delay * 2, now + Delay * 2) : new(Max, now + Max);
    }
}
