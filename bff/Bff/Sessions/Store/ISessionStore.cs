using Bff.Sessions.Lifecycle;

namespace Bff.Sessions.Store;

/// <summary>
/// Where server-side sessions live. A store keeps each record until its <see cref="SessionRecord.ExpiresAt"/>;
/// lookups by user and provider session and the count never include one past it. <see cref="GetAsync"/> may
/// still return an expired record (until the store drops it), so the caller can end it with the right reason;
/// expired records a store finds on its own are ended with their reason too: the in-memory store's sweep
/// publishes them to <see cref="SessionExpiryQueue"/>, the Redis sweeper ends them through
/// <see cref="SessionTerminator"/>. Implementations: in memory (one instance) and Redis (many instances).
/// <para>
/// An extension point: register your own <c>ISessionStore</c> singleton (before or after <c>AddBff</c>, which adds
/// the in-memory store only when none is registered). Every member may be called concurrently; a removal is
/// atomic (of two concurrent removals only one gets the record, so a session's end is told once); a store that
/// cannot be reached throws <see cref="SessionStoreUnavailableException"/> (answered 503, the session kept).
/// </para>
/// </summary>
public interface ISessionStore
{
    /// <summary>Creates or replaces a session.</summary>
    Task SaveAsync(SessionRecord session, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the ticket (the tokens) of a live session with a new <see cref="SessionRecord.Stamp"/>, leaving
    /// everything else as stored; returns the
    /// updated session, or null when it is gone. Never brings an ended session back.
    /// </summary>
    Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ReplaceTicketAsync(string, byte[], CancellationToken)"/>, only while the stored
    /// <see cref="SessionRecord.Stamp"/> is still <paramref name="expectedStamp"/>: null also when another writer
    /// replaced the ticket since it was read (a token refresh whose lock ran out must not overwrite the tokens of the
    /// one that took over). The default reads the stamp, then replaces: a store that can compare and replace in one
    /// step should do so.
    /// </summary>
    async Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, long expectedStamp, CancellationToken cancellationToken) =>
        await GetStateAsync(id, cancellationToken) is { } state && state.Stamp == expectedStamp
            ? await ReplaceTicketAsync(id, ticket, cancellationToken)
            : null;

    /// <summary>
    /// Records activity on a live session (last activity and the new expiry), leaving the ticket as stored,
    /// so a concurrent token refresh is never overwritten with older tokens. Null when the session is gone.
    /// </summary>
    Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>The session with this storage id, or null; callers check <see cref="SessionRecord.ExpiresAt"/>.</summary>
    Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// What changes on a session while its ticket stays the same: its <see cref="SessionRecord.Stamp"/>, last
    /// activity and expiry, without the ticket; null when the session is gone. The per-request check of a
    /// session whose ticket this instance already holds decrypted.
    /// </summary>
    Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a session (expired or not); returns what was removed, or null if it was already gone. Once under way
    /// a removal completes, cleanup included, whatever becomes of <paramref name="cancellationToken"/> (honour it, if
    /// at all, only before anything is removed): a session removed without its caller hearing of it would end
    /// unreported. <see cref="SessionTerminator"/> passes <see cref="CancellationToken.None"/>.
    /// </summary>
    Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// The live sessions of one user (<c>sub</c>), without their tokens: <see cref="SessionRecord.Ticket"/> may be
    /// empty (the built-in stores leave it out, as a user may hold thousands of sessions). Lookups list sessions
    /// and name the ones to end; <see cref="GetAsync"/> and <see cref="RemoveAsync"/> answer the whole record.
    /// </summary>
    Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken);

    /// <summary>The live sessions that belong to one provider session (<c>sid</c>), without their tokens like <see cref="GetBySubjectAsync"/>.</summary>
    Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken);

    /// <summary>How many live sessions the store holds, across all users (for health and metrics).</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);
}
