using Bff.Distributed;
using Bff.Sessions.Store;

namespace Bff.Sessions.Audit;

/// <summary>
/// The store's live-session count, counted at most once per <see cref="MaxAge"/> by this instance however often it
/// is asked: <c>/health/ready</c> is anonymous, and a count walks every session in memory (16 range counts with
/// Redis). Callers that ask while a count is under way share it; a failed count is not kept. Each count is
/// recorded for the <c>bff.sessions.active</c> gauge.
/// </summary>
internal sealed class ActiveSessionCount(ISessionStore store, SessionStatistics statistics, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly SingleFlight<long> _counts = new();
    private Counted? _last;

    public Task<long> GetAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _last) is { } last && time.GetUtcNow() - last.StartedAt < MaxAge
            ? Task.FromResult(last.Active)
            : _counts.RunAsync(nameof(ActiveSessionCount), CountAsync, cancellationToken);

    // Not cancelled by one caller: others may be waiting for it. The store's own deadline bounds it.
    private async Task<long> CountAsync()
    {
        var startedAt = time.GetUtcNow();
        // Off the caller's thread: an in-memory store walks every session synchronously, and callers that join
        // meanwhile would block on the run's start instead of awaiting it.
        await Task.Yield();
        var active = await store.CountAsync(CancellationToken.None);
        statistics.RecordActive(active);
        Volatile.Write(ref _last, new Counted(active, startedAt));
        return active;
    }

    private sealed record Counted(long Active, DateTimeOffset StartedAt);
}
