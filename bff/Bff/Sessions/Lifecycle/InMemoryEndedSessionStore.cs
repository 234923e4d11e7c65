namespace Bff.Sessions.Lifecycle;

/// <summary>
/// End reasons in this process's memory, dropped at their expiry (swept every so many additions) and
/// capped at <see cref="MaxEntries"/>. At the cap a tenth makes room at once (so a flood of ends costs one sort per
/// ten thousand): plain end reasons before demands to sign in again, and among them those due to expire soonest. A new
/// entry is worth more than the one closest to being dropped anyway, and memory never grows without bound.
/// </summary>
internal sealed class InMemoryEndedSessionStore(TimeProvider time) : IEndedSessionStore
{
    public const int MaxEntries = 100_000;
    private const int SweepEvery = 256;

    private readonly ConcurrentDictionary<string, (SessionEndReason Reason, DateTimeOffset KeepUntil)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _makingRoom = new();
    private int _additions;

    public int Count => _entries.Count;

    public Task RememberAsync(string storageId, SessionEndReason reason, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref _additions) % SweepEvery == 0)
        {
            Sweep(now);
        }

        if (keepUntil <= now)
        {
            return Task.CompletedTask;
        }

        if (_entries.Count >= MaxEntries)
        {
            MakeRoom(now);
        }

        _entries[storageId] = (reason, keepUntil);
        return Task.CompletedTask;
    }

    public Task<SessionEndReason?> FindAsync(string storageId, CancellationToken cancellationToken) =>
        Task.FromResult(_entries.TryGetValue(storageId, out var entry) && entry.KeepUntil > time.GetUtcNow() ? entry.Reason : (SessionEndReason?)null);

    public Task ForgetAsync(string storageId, CancellationToken cancellationToken)
    {
        _entries.TryRemove(storageId, out _);
        return Task.CompletedTask;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        lock (_makingRoom)
        {
            // Another caller may have made room meanwhile.
            if (_entries.Count < MaxEntries)
            {
                return;
            }

            Sweep(now);
            var excess = _entries.Count - (MaxEntries - MaxEntries / 10);
            if (excess <= 0)
            {
                return;
            }

            // Plain end reasons go first (at worst a browser hears "not signed in" without why); the demands to
            // sign in again after sign out everywhere or a back-channel logout only when nothing else is left.
            foreach (var entry in _entries
                .OrderBy(e => e.Key.StartsWith(ReauthenticationRequirement.KeyPrefix, StringComparison.Ordinal))
                .ThenBy(e => e.Value.KeepUntil)
                .Take(excess)
                .ToList())
            {
                _entries.TryRemove(entry);
            }
        }
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
