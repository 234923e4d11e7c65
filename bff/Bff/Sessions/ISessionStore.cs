namespace Bff.Sessions;

/// <summary>
/// Where server-side sessions live. A store keeps each record until its <see cref="SessionRecord.ExpiresAt"/>
/// and never returns one past it. Implementations: in memory (one instance) and Redis (many instances).
/// </summary>
public interface ISessionStore
{
    /// <summary>Creates or replaces a session.</summary>
    Task SaveAsync(SessionRecord session, CancellationToken cancellationToken);

    /// <summary>The live session with this storage id, or null.</summary>
    Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes a session; returns what was removed, or null if it was already gone.</summary>
    Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>The live sessions of one user (<c>sub</c>).</summary>
    Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken);

    /// <summary>The live sessions that belong to one provider session (<c>sid</c>).</summary>
    Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken);
}
