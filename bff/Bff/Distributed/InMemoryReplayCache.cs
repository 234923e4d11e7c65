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

        // A value whose entry has expired is new again. The factory that ran last is the one whose write landed.
        var added = false;
        _entries.AddOrUpdate(
            key,
            _ =>
            {
                added = true;
                return expiresAt;
            },
            (_, current) => (added = current <= now) ? expiresAt : current);
        return Task.FromResult(added);
    }

    public Task RemoveAsync(string key)
    {
        _entries.TryRemove(key, out _);
        return Task.CompletedTask;
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
