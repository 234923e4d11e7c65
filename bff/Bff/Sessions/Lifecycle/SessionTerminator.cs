using Bff.Logging;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// The one way a session ends: removed from the store, logged with its reason, then every
/// <see cref="ISessionEndObserver"/> is told. Ending a session that is already gone is a no-op.
/// <para>
/// Nothing here takes the caller's cancellation token: a session taken from the store but not reported would
/// be gone with its refresh token unrevoked, its end unexplained and unaudited, so once begun an end runs to
/// its end, whoever asked for it has left (a browser dropping its sign-out, a provider timing out its
/// back-channel call). It cannot hang: every store command has its own deadline, every observer its own limit.
/// </para>
/// </summary>
internal sealed class SessionTerminator(
    ISessionStore store,
    IEnumerable<ISessionEndObserver> observers,
    ILogger<SessionTerminator> logger)
{
    /// <summary>
    /// Ends each of these sessions, one after another, every one of them even when the caller has gone; how many
    /// this call ended (others may have been first).
    /// </summary>
    public async Task<int> EndEachAsync(IEnumerable<SessionRecord> sessions, SessionEndReason reason)
    {
        var ended = 0;
        foreach (var session in sessions)
        {
            ended += await EndAsync(session.Id, reason) ? 1 : 0;
        }

        return ended;
    }

    /// <summary>
    /// Ends the sessions <paramref name="list"/> finds, then those it finds once more (without the caller's token: the
    /// first ends are under way). An end from elsewhere writes the re-authentication demand of each session's provider
    /// session as it ends it (<see cref="ReauthenticationRequirement"/>); a sign-in by single sign-on into one of those
    /// provider sessions that was checked before and saved after the first listing would otherwise outlive the end.
    /// One saved after the second listing finds the demand written once it is saved, and ends itself.
    /// </summary>
    /// <returns>How many this call ended.</returns>
    public async Task<int> EndAllAsync(
        Func<CancellationToken, Task<IEnumerable<SessionRecord>>> list, SessionEndReason reason, CancellationToken cancellationToken)
    {
        var ended = await EndEachAsync(await list(cancellationToken), reason);
        return ended + await EndEachAsync(await list(CancellationToken.None), reason);
    }

    /// <summary>Ends the session with this storage id; false when it was already gone.</summary>
    public async Task<bool> EndAsync(string storageId, SessionEndReason reason)
    {
        var removed = await store.RemoveAsync(storageId, CancellationToken.None);
        if (removed is not null)
        {
            await NotifyAsync(removed, reason);
        }

        return removed is not null;
    }

    /// <summary>
    /// Reports a session the store already dropped because it expired (see <see cref="SessionExpiryQueue"/>),
    /// with <see cref="SessionEndReason.IdleTimeout"/> or <see cref="SessionEndReason.AbsoluteLifetime"/>.
    /// </summary>
    public Task ReportExpiredAsync(SessionRecord expired) =>
        NotifyAsync(expired, SessionPolicy.ExpiryReason(expired));

    private Task NotifyAsync(SessionRecord removed, SessionEndReason reason)
    {
        Log.SessionEnded(logger, removed.PublicId, removed.Subject, reason.ToString());

        // All at once: the quick ones (why it ended, the audit) must not wait behind a slow one (revoking the
        // refresh token at the provider), or the owner's next request would find the session gone, unexplained.
        return Task.WhenAll(observers.Select(async observer =>
        {
            try
            {
                await observer.OnSessionEndedAsync(removed, reason, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // A cancellation too: with no caller's token, it can only be the observer's own time limit.
                Log.SessionEndObserverFailed(logger, observer.GetType().Name, removed.PublicId, ex.GetType().Name);
            }
        }));
    }
}
