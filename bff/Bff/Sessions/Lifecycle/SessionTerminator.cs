using Bff.Logging;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// The one way a session ends: removed from the store, logged with its reason, then every
/// <see cref="ISessionEndObserver"/> is told. Ending a session that is already gone is a no-op.
/// </summary>
internal sealed class SessionTerminator(
    ISessionStore store,
    IEnumerable<ISessionEndObserver> observers,
    ILogger<SessionTerminator> logger)
{
    /// <summary>Ends each of these sessions, one after another; how many this call ended (others may have been first).</summary>
    public async Task<int> EndEachAsync(IEnumerable<SessionRecord> sessions, SessionEndReason reason, CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var session in sessions)
        {
            ended += await EndAsync(session.Id, reason, cancellationToken) ? 1 : 0;
        }

        return ended;
    }

    /// <summary>Ends the session with this storage id; false when it was already gone.</summary>
    public async Task<bool> EndAsync(string storageId, SessionEndReason reason, CancellationToken cancellationToken)
    {
        var removed = await store.RemoveAsync(storageId, cancellationToken);
        if (removed is not null)
        {
            await NotifyAsync(removed, reason, cancellationToken);
        }

        return removed is not null;
    }

    /// <summary>
    /// Reports a session the store already dropped because it expired (see <see cref="SessionExpiryQueue"/>),
    /// with <see cref="SessionEndReason.IdleTimeout"/> or <see cref="SessionEndReason.AbsoluteLifetime"/>.
    /// </summary>
    public Task ReportExpiredAsync(SessionRecord expired, CancellationToken cancellationToken) =>
        NotifyAsync(expired, SessionPolicy.ExpiryReason(expired), cancellationToken);

    private Task NotifyAsync(SessionRecord removed, SessionEndReason reason, CancellationToken cancellationToken)
    {
        Log.SessionEnded(logger, removed.PublicId, removed.Subject, reason.ToString());

        // All at once: the quick ones (why it ended, the audit) must not wait behind a slow one (revoking the
        // refresh token at the provider), or the owner's next request would find the session gone, unexplained.
        return Task.WhenAll(observers.Select(async observer =>
        {
            try
            {
                await observer.OnSessionEndedAsync(removed, reason, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SessionEndObserverFailed(logger, observer.GetType().Name, removed.PublicId, ex.GetType().Name);
            }
        }));
    }
}
