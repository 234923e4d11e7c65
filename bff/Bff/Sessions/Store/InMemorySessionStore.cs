using System.Runtime.InteropServices;
using Bff.Sessions.Lifecycle;

namespace Bff.Sessions.Store;

/// <summary>
/// Sessions in this process's memory: right for a single instance and for development. Expired
/// sessions are left out of lookups and counts, swept once a minute and reported to the
/// <see cref="SessionExpiryQueue"/>; until then <see cref="GetAsync"/> still returns them, so that the
/// owner's next request ends them with the right reason. A sweep drops only the sessions the queue takes;
/// beyond its capacity the rest wait for the next sweep.
/// </summary>
internal sealed class InMemorySessionStore : ISessionStore, IDisposable
{
    private readonly ConcurrentDictionary<string, SessionRecord> _sessions = new();
    private readonly TimeProvider _time;
    private readonly SessionExpiryQueue? _expiries;
    private readonly ITimer _sweeper;
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, HashSet<string>> _bySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byProviderSession = new(StringComparer.Ordinal);

    public InMemorySessionStore(TimeProvider time, SessionExpiryQueue? expiries = null)
    {
        _time = time;
        _expiries = expiries;
        _sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public Task SaveAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        lock (_indexLock)
        {
            _sessions[session.Id] = session;
            Add(_bySubject, session.Subject, session.Id);
            if (session.ProviderSessionId is { } sid)
            {
                Add(_byProviderSession, sid, session.Id);
            }
        }

        return Task.CompletedTask;
    }

    public Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, CancellationToken cancellationToken) =>
        Task.FromResult(Update(id, session => session with { Ticket = ticket, Stamp = SessionKeys.NewStamp() }));

    public Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, long expectedStamp, CancellationToken cancellationToken) =>
        Task.FromResult(Update(id, session => session.Stamp == expectedStamp ? session with { Ticket = ticket, Stamp = SessionKeys.NewStamp() } : null));

    public Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(Update(id, session => session with { LastActivityAt = lastActivityAt, ExpiresAt = expiresAt }));

    public Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(id, out var session) ? session : null);

    public Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(id, out var session)
            ? new SessionState(session.Stamp, session.LastActivityAt, session.ExpiresAt)
            : (SessionState?)null);

    public Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        lock (_indexLock)
        {
            if (_sessions.TryRemove(id, out var removed))
            {
                Unindex(removed);
            }

            return Task.FromResult(removed);
        }
    }

    public Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SessionRecord>>(Lookup(_bySubject, subject));

    public Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SessionRecord>>(Lookup(_byProviderSession, providerSessionId));

    // Enumerating the dictionary itself takes no lock (Values would lock every bucket and copy them all).
    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        Task.FromResult((long)_sessions.Count(entry => IsLive(entry.Value)));

    /// <summary>
    /// Drops every expired session now and reports it (the timer does this once a minute), as many as the
    /// <see cref="SessionExpiryQueue"/> takes: once it is full, the rest stay for the next sweep.
    /// </summary>
    public void Sweep()
    {
        // Enumerating the dictionary itself takes no lock (Values would lock every bucket and copy them all).
        foreach (var (_, session) in _sessions)
        {
            if (!IsLive(session) && !TryDrop(session))
            {
                return;
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    // The change answers null to leave the session as it is (and the update answers null).
    private SessionRecord? Update(string id, Func<SessionRecord, SessionRecord?> change)
    {
        lock (_indexLock)
        {
            if (!_sessions.TryGetValue(id, out var current) || !IsLive(current))
            {
                return null;
            }

            if (change(current) is not { } updated)
            {
                return null;
            }

            _sessions[id] = updated;
            return updated;
        }
    }

    private List<SessionRecord> Lookup(Dictionary<string, HashSet<string>> index, string key)
    {
        string[] ids;
        lock (_indexLock)
        {
            ids = index.TryGetValue(key, out var set) ? [.. set] : [];
        }

        // Without the ticket, as from Redis: code written against this store must not come to rely on it.
        return ids
            .Select(id => _sessions.TryGetValue(id, out var session) ? session : null)
            .OfType<SessionRecord>()
            .Where(IsLive)
            .Select(session => session with { Ticket = [] })
            .ToList();
    }

    private bool IsLive(SessionRecord session) => session.ExpiresAt > _time.GetUtcNow();

    // False when the queue is full: the session stays, so its end is never lost unreported. Queued and removed
    // under the lock that every write takes, so the record reported is exactly the record removed.
    private bool TryDrop(SessionRecord expired)
    {
        lock (_indexLock)
        {
            // Only drop the exact record seen: a concurrent save may have renewed it.
            if (!_sessions.TryGetValue(expired.Id, out var current) || !ReferenceEquals(current, expired))
            {
                return true;
            }

            if (_expiries is not null && !_expiries.TryPublish(expired))
            {
                return false;
            }

            _sessions.TryRemove(expired.Id, out _);
            Unindex(expired);
            return true;
        }
    }

    private void Unindex(SessionRecord session)
    {
        Remove(_bySubject, session.Subject, session.Id);
        if (session.ProviderSessionId is { } sid)
        {
            Remove(_byProviderSession, sid, session.Id);
        }
    }

    private static void Add(Dictionary<string, HashSet<string>> index, string key, string id) =>
        (CollectionsMarshal.GetValueRefOrAddDefault(index, key, out _) ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);

    private static void Remove(Dictionary<string, HashSet<string>> index, string key, string id)
    {
        if (index.TryGetValue(key, out var set) && set.Remove(id) && set.Count == 0)
        {
            index.Remove(key);
        }
    }
}
