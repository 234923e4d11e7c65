namespace Bff.Sessions.Lifecycle;

/// <summary>
/// End reasons in this process's memory, dropped at their expiry (swept every so many additions) and
/// capped at <see cref="MaxEntries"/> (a flood of ends forgets reasons, never grows without bound).
/// </summary>
internal sealed class InMemoryEndedSessionStore(TimeProvider time) : IEndedSessionStore
{
    public const int MaxEntries = 100_000;
    private const int SweepEvery = 256;

    private readonly ConcurrentDictionary<string, (SessionEndReason Reason, DateTimeOffset KeepUntil)> _entries = new(StringComparer.Ordinal);
    private int _additions;

    public Task RememberAsync(string storageId, SessionEndReason reason, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref _additions) % SweepEvery == 0 || _entries.Count >= MaxEntries)
        {
            Sweep(now);
        }

        if (keepUntil > now && _entries.Count < MaxEntries)
        {
            _entries[storageId] = (reason, keepUntil);
        }

        return Task.CompletedTask;
    }

    public Task<SessionEndReason?> FindAsync(string storageId, CancellationToken cancellationToken) =>
        Task.FromResult(_entries.TryGetValue(storageId, out var entry) && entry.KeepUntil > time.GetUtcNow() ? entry.Reason : (SessionEndReason?)null);

    public Task ForgetAsync(string storageId, CancellationToken cancellationToken)
    {
        _entries.TryRemove(storageId, out _);
        return Task.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var entry in _entries)
        {
            if (entry.Value.KeepUntil <= now)
            {
                _entries.TryRemove(entry);
            }
        }
    }
}
