namespace Bff.Tests.Sessions;

/// <summary>A store that passes every call to another; tests override what they watch or break.</summary>
public class DelegatingSessionStore(ISessionStore inner) : ISessionStore
{
    /// <summary>The store each call goes to (override it to fail every call at once).</summary>
    protected virtual ISessionStore Inner => inner;

    public virtual Task SaveAsync(SessionRecord session, CancellationToken cancellationToken) => Inner.SaveAsync(session, cancellationToken);

    public virtual Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, CancellationToken cancellationToken) =>
        Inner.ReplaceTicketAsync(id, ticket, cancellationToken);

    public virtual Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, long expectedStamp, CancellationToken cancellationToken) =>
        Inner.ReplaceTicketAsync(id, ticket, expectedStamp, cancellationToken);

    public virtual Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Inner.TouchAsync(id, lastActivityAt, expiresAt, cancellationToken);

    public virtual Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken) => Inner.GetAsync(id, cancellationToken);

    public virtual Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken) => Inner.GetStateAsync(id, cancellationToken);

    public virtual Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken) => Inner.RemoveAsync(id, cancellationToken);

    public virtual Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        Inner.GetBySubjectAsync(subject, cancellationToken);

    public virtual Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken) =>
        Inner.GetByProviderSessionAsync(providerSessionId, cancellationToken);

    public virtual Task<long> CountAsync(CancellationToken cancellationToken) => Inner.CountAsync(cancellationToken);
}
