namespace Bff.Distributed;

/// <summary>
/// One-time values for a single instance, expiring on <see cref="TimeProvider"/>. Expired entries are
/// swept every so many additions, so the cache stays as small as the values still live.
/// </summary>
internal sealed class InMemoryReplayCache(TimeProvider time) : IReplayCache
{
    private const int SweepEvery = 256;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);
    private int _additions;

    public int Count => _entries.Count;

    public Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref _additions) % SweepEvery == 0)
        {
            Sweep(now);
        }

        while (true)
        {
            if (_entries.TryAdd(key, expiresAt))
            {
                return Task.FromResult(true);
            }

            if (!_entries.TryGetValue(key, out var current))
            {
                continue;
            }

            // A value whose entry has expired is new again.
            if (current <= now && _entries.TryUpdate(key, expiresAt, current))
            {
                return Task.FromResult(true);
            }

            if (current > now)
            {
                return Task.FromResult(false);
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, expiresAt) in _entries)
        {
            if (expiresAt <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, expiresAt));
            }
        }
    }
}
