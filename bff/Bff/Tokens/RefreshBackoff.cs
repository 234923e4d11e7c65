namespace Bff.Tokens;

/// <summary>
/// After the provider failed a key's attempt (a session's refresh, a client token's fetch), no new attempt until the
/// back-off passes: 1 s, doubling to 30 s, each delay drawn within ±20 % so that sessions that failed together do not
/// all retry together. A success clears it (for a session, so does a refusal, which ends it). Only this process's
/// attempts count.
/// </summary>
internal sealed class RefreshBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    /// <summary>How far a delay may stray from its nominal value, either way.</summary>
    internal const double Jitter = 0.2;

    /// <summary>Stale entries are looked for at most this often: a scan per failure would be quadratic in an outage.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Random _random;
    private long _nextSweepTicks;
    private long _swept;

    public RefreshBackoff(TimeProvider time)
        : this(time, Random.Shared)
    {
    }

    /// <summary>With the randomness given (a seeded one makes the jitter repeatable); it must be thread-safe when shared.</summary>
    internal RefreshBackoff(TimeProvider time, Random random)
    {
        _time = time;
        _random = random;
    }

    /// <summary>Entries looked at by the sweeps so far: the work they did.</summary>
    internal long Swept => Interlocked.Read(ref _swept);

    /// <summary>Whether the key's last attempt failed too recently to try again.</summary>
    public bool IsWaiting(string key) => _entries.TryGetValue(key, out var entry) && _time.GetUtcNow() < entry.RetryAt;

    /// <summary>Notes a failed attempt; returns how long until the next.</summary>
    public TimeSpan Failed(string key)
    {
        var now = _time.GetUtcNow();
        SweepIfDue(now);
        // A back-off long past (not swept yet) starts over, as a first failure.
        var entry = _entries.AddOrUpdate(key, _ => Start(First, now),
            (_, e) => Start(e.RetryAt < now - Max ? First : e.Nominal * 2 < Max ? e.Nominal * 2 : Max, now));
        return entry.RetryAt - now;
    }

    public void Clear(string key) => _entries.TryRemove(key, out _);

    private Entry Start(TimeSpan nominal, DateTimeOffset now) =>
        new(nominal, now + nominal * (1 - Jitter + (2 * Jitter * _random.NextDouble())));

    // Back-offs of sessions that ended during an outage would otherwise stay forever. One caller sweeps per interval.
    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        var stale = now - Max;
        long looked = 0;
        foreach (var (key, entry) in _entries)
        {
            looked++;
            if (entry.RetryAt < stale)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }

        Interlocked.Add(ref _swept, looked);
    }

    // Nominal: the delay before jitter, which the next failure doubles.
    private sealed record Entry(TimeSpan Nominal, DateTimeOffset RetryAt);
}
