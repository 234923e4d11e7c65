using Bff.Sessions.Store;

namespace Bff.Sessions.Audit;

/// <summary>
/// The store's live-session count, counted at most once per <see cref="MaxAge"/> by this instance however often it
/// is asked: <c>/health/ready</c> is anonymous, and a count walks every session in memory (16 range counts with
/// Redis). Callers that ask while a count is under way share it. Each count is recorded for the
/// <c>bff.sessions.active</c> gauge.
/// </summary>
internal sealed class ActiveSessionCount(ISessionStore store, SessionStatistics statistics, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private Task<long>? _count;
    private DateTimeOffset _startedAt;

    public Task<long> GetAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<long>? mine = null;
        Task<long> count;
        lock (_lock)
        {
            // A failed count is not kept: the next caller counts again.
            if (_count is null || (_count.IsCompleted && (!_count.IsCompletedSuccessfully || time.GetUtcNow() - _startedAt >= MaxAge)))
            {
                _startedAt = time.GetUtcNow();
                mine = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                _count = mine.Task;
            }

            count = _count;
        }

        // Counted outside the lock: an in-memory store walks every session synchronously.
        if (mine is not null)
        {
            _ = CountIntoAsync(mine);
        }

        return count.WaitAsync(cancellationToken);
    }

    // Not cancelled by one caller: others may be waiting for it. The store's own deadline bounds it.
    private async Task CountIntoAsync(TaskCompletionSource<long> count)
    {
        try
        {
            var active = await store.CountAsync(CancellationToken.None);
            statistics.RecordActive(active);
            count.SetResult(active);
        }
        catch (Exception ex)
        {
            count.SetException(ex);
        }
    }
}
