using Bff.Configuration;
using Bff.Sessions.Lifecycle;
using Microsoft.Extensions.Caching.Memory;

namespace Bff.Sessions.Store;

/// <summary>
/// Decrypted tickets of recently seen sessions, in this process, each under the <see cref="SessionRecord.Stamp"/>
/// it was read with. Never trusted alone: a request uses an entry only after the store confirms that stamp is
/// still the session's (<see cref="ISessionStore.GetStateAsync"/>), which saves fetching, decrypting and
/// deserializing the ticket, not the check. Bounded by <c>Bff:Session:TicketCacheSize</c> (0 turns it off);
/// entries nobody reads for a few minutes leave.
/// </summary>
internal sealed class SessionTicketCache : ISessionEndObserver, IDisposable
{
    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(5);

    private readonly MemoryCache? _cache;

    public SessionTicketCache(IOptions<BffOptions> options)
    {
        var size = options.Value.Session.TicketCacheSize;
        if (size > 0)
        {
            _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = size });
        }
    }

    /// <summary>The session and its ticket as last read, if cached; the ticket must not be handed out (clone it).</summary>
    public bool TryGet(string storageId, out CachedTicket cached)
    {
        cached = null!;
        return _cache is not null && _cache.TryGetValue(storageId, out cached!);
    }

    /// <summary>Keeps a session's ticket under its stamp; the caller gives up <paramref name="ticket"/> (never changes it again).</summary>
    public void Set(SessionRecord session, AuthenticationTicket ticket)
    {
        // A record written without a stamp cannot tell a changed ticket from the same one.
        if (_cache is null || session.Stamp == 0)
        {
            return;
        }

        using var entry = _cache.CreateEntry(session.Id);
        entry.Value = new CachedTicket(session, ticket);
        entry.Size = 1;
        entry.SlidingExpiration = Unused;
    }

    public void Remove(string storageId) => _cache?.Remove(storageId);

    /// <summary>A session ended here drops its tokens from memory at once (elsewhere, the next stamp read finds it gone).</summary>
    public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        Remove(session.Id);
        return Task.CompletedTask;
    }

    public void Dispose() => _cache?.Dispose();

    internal sealed record CachedTicket(SessionRecord Session, AuthenticationTicket Ticket);
}
