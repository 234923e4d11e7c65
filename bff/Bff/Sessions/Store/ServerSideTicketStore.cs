using Bff.Http.Edge;
using Bff.Http;
using Bff.Logging;
using Bff.Sessions.Audit;
using Bff.Sessions.Lifecycle;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bff.Sessions.Store;

/// <summary>
/// The cookie handler's <see cref="ITicketStore"/>: keeps the ticket (with every token) in the
/// <see cref="ISessionStore"/> under a fresh random key per sign-in, enforces the idle and absolute
/// limits on every read, and records activity. A cookie whose session has ended gets the reason as an
/// <see cref="EndedSessionFeature"/>, for the next 401 to tell (once). Every read asks the store; when this
/// instance holds the session's ticket decrypted (<see cref="SessionTicketCache"/>), it asks only for the
/// ticket's stamp and the expiry, and uses the cached ticket when the stamp is unchanged.
/// </summary>
internal sealed class ServerSideTicketStore(
    ISessionStore store,
    SessionTerminator terminator,
    SessionTicketProtector tickets,
    SessionTicketCache cache,
    SessionPolicy policy,
    SessionAudit audit,
    IEndedSessionStore endedSessions,
    ReauthenticationRequirement reauthentication,
    ClientAddressResolver addresses,
    TimeProvider time,
    ILogger<ServerSideTicketStore> logger) : ITicketStore
{
    /// <summary>Longer user agents are cut: the label needs the first part only, and the store need not hold more.</summary>
    public const int MaxUserAgentLength = 512;

    /// <summary>How many session keys' storage ids are remembered; past it the memory starts over.</summary>
    internal const int MaxRememberedIds = 10_000;

    // Session key → its storage id (a SHA-256), so a busy session does not hash its key on every request. Keys
    // get here only from cookies that decrypted; the store still decides on every request what the id grants.
    private readonly BoundedMemory<string, string> _storageIds = new(MaxRememberedIds, StringComparer.Ordinal);

    // ITicketStore routes its CancellationToken overloads here by default; the cookie handler calls the HttpContext ones.
    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        // A new key on every sign-in: a session id known before sign-in is worthless after it.
        var key = SessionKeys.NewKey();
        var storageId = SessionKeys.StorageIdFor(key);
        var now = time.GetUtcNow();
        var absolute = policy.AbsoluteExpiry(now);
        var session = new SessionRecord
        {
            Id = storageId,
            PublicId = SessionKeys.NewPublicId(),
            Subject = ticket.Principal.FindFirstValue("sub") ?? throw new InvalidOperationException("The signed-in user has no 'sub' claim."),
            ProviderSessionId = ticket.Principal.FindFirstValue("sid"),
            CreatedAt = now,
            LastActivityAt = now,
            AbsoluteExpiresAt = absolute,
            ExpiresAt = policy.Expiry(now, absolute),
            UserAgent = httpContext is null ? null : Truncate(httpContext.Request.Headers.UserAgent.ToString()),
            IpAddress = httpContext is null ? null : addresses.ResolveText(httpContext),
            Ticket = tickets.Protect(ticket, storageId),
        };

        try
        {
            // A save that failed may still have been stored (a command sent, then given up on): undone below.
            await store.SaveAsync(session, cancellationToken);
            httpContext?.Features.Set(new CurrentSession(session));
            Log.SessionCreated(logger, session.PublicId, session.Subject, session.ProviderSessionId);

            // Saved: the rest runs to completion whatever the browser does, as ending a session does.
            await audit.RecordCreatedAsync(session, CancellationToken.None);
            if (await reauthentication.EndedDuringSignInAsync(session, httpContext, CancellationToken.None) is { } reason)
            {
                // Ended from elsewhere while this sign-in was under way: so is this session (and it makes no room at the
                // expense of the user's others). The browser arrives signed out, is told why, and its next sign-in asks
                // for the password.
                Log.SessionEndedDuringSignIn(logger, session.PublicId, reason.ToString());
                await terminator.EndAsync(session.Id, reason);
                if (httpContext is not null)
                {
                    CurrentSession.Forget(httpContext);
                }
            }
            else
            {
                await EndOldestBeyondLimitAsync(session);
            }
        }
        catch (Exception ex)
        {
            // No cookie will name this session, so it must not stay live (in the user's list, with its refresh token).
            // (Replaced: the browser's next sign-in replaces it; nobody ever held it.)
            Log.SessionCreationUndone(logger, session.PublicId, ex.GetType().Name);
            try
            {
                await terminator.EndAsync(session.Id, SessionEndReason.Replaced);
            }
            catch (Exception cleanup) when (cleanup is not OperationCanceledException)
            {
                // The store is down too: the session goes at its idle timeout. The sign-in's own failure is what to report.
            }

            throw;
        }

        return key;
    }

    /// <summary>
    /// One account signing in over and over must not fill the store: the oldest sessions make room. A sign-in never
    /// ends itself, and every instance orders sessions the same way (creation time, then storage id), so concurrent
    /// sign-ins agree: the newest <c>MaxPerUser</c> stay.
    /// </summary>
    private async Task EndOldestBeyondLimitAsync(SessionRecord created)
    {
        var sessions = await store.GetBySubjectAsync(created.Subject, CancellationToken.None);
        var excess = sessions.Count - policy.MaxPerUser;
        if (excess <= 0)
        {
            return;
        }

        var oldest = sessions.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal).Take(excess)
            .Where(s => s.Id != created.Id);
        await terminator.EndEachAsync(oldest, SessionEndReason.SessionLimit);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        // Only a live session's ticket is replaced: an ended session is never brought back.
        var storageId = StorageIdFor(key);
        var renewed = await store.ReplaceTicketAsync(storageId, tickets.Protect(ticket, storageId), cancellationToken);
        if (renewed is not null)
        {
            httpContext?.Features.Set(new CurrentSession(renewed));
        }
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var storageId = StorageIdFor(key);
        var (session, ticket) = await ReadAsync(storageId, cancellationToken);
        if (session is null)
        {
            return await EndedAsync(httpContext, storageId, cancellationToken);
        }

        var now = time.GetUtcNow();
        if (policy.IsExpired(session, now))
        {
            return await EndExpiredAsync(httpContext, session, cancellationToken);
        }

        if (ticket is null)
        {
            ticket = tickets.Unprotect(session.Ticket, session.Id);
            // The ticket's user must be the record's too: the record's other fields (its index entries, the sessions list)
            // speak for that user. (A principal an app rewrote without a sub claim is its own business.)
            if (ticket is null || ticket.Principal.FindFirstValue("sub") is { } sub && sub != session.Subject)
            {
                await terminator.EndAsync(session.Id, SessionEndReason.Unreadable);
                return await EndedAsync(httpContext, storageId, cancellationToken);
            }

            cache.Set(session, ticket);
        }

        if (SessionPolicy.Slides(httpContext) && policy.RecordActivity(session, now) is { } active)
        {
            // The store writes activity on a live session only: none means it ended (elsewhere) or expired since
            // the read, and it is not served, whatever it was a moment ago.
            if (await store.TouchAsync(session.Id, active.LastActivityAt, active.ExpiresAt, cancellationToken) is not { } touched)
            {
                cache.Remove(storageId);
                return policy.IsExpired(session, time.GetUtcNow())
                    ? await EndExpiredAsync(httpContext, session, cancellationToken)
                    : await EndedAsync(httpContext, storageId, cancellationToken);
            }

            session = touched;
        }

        httpContext?.Features.Set(new CurrentSession(session));

        // The cached ticket stays as read: the cookie handler and the token path may change theirs.
        return ticket.Clone();
    }

    /// <summary>
    /// The session as stored now, with its ticket when this instance holds it decrypted under the current stamp
    /// (null ticket: decrypt <see cref="SessionRecord.Ticket"/>); a null session when it is gone.
    /// </summary>
    private async Task<(SessionRecord? Session, AuthenticationTicket? Ticket)> ReadAsync(string storageId, CancellationToken cancellationToken)
    {
        if (cache.TryGet(storageId, out var cached))
        {
            var state = await store.GetStateAsync(storageId, cancellationToken);
            if (state is not { } current)
            {
                cache.Remove(storageId);
                return (null, null);
            }

            if (current.Stamp == cached.Session.Stamp)
            {
                return (cached.Session with { LastActivityAt = current.LastActivityAt, ExpiresAt = current.ExpiresAt }, cached.Ticket);
            }

            // The ticket was rewritten (a token refresh, here or elsewhere): read the new one.
            cache.Remove(storageId);
        }

        return (await store.GetAsync(storageId, cancellationToken), null);
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var storageId = SessionKeys.StorageIdFor(key);
        _storageIds.Forget(key);
        cache.Remove(storageId);
        await terminator.EndAsync(storageId, SessionEndReason.SignOut);
    }

    private string StorageIdFor(string key) =>
        _storageIds.TryGet(key, out var storageId) ? storageId : _storageIds.Remember(key, SessionKeys.StorageIdFor(key));

    // Ends an expired session with its reason (unless someone else was first), then answers as for any ended one.
    private async Task<AuthenticationTicket?> EndExpiredAsync(HttpContext? httpContext, SessionRecord expired, CancellationToken cancellationToken)
    {
        cache.Remove(expired.Id);
        await terminator.EndAsync(expired.Id, SessionPolicy.ExpiryReason(expired));
        return await EndedAsync(httpContext, expired.Id, cancellationToken);
    }

    // No ticket for a session that has ended; the request learns why, for its 401 to tell.
    private async Task<AuthenticationTicket?> EndedAsync(HttpContext? httpContext, string storageId, CancellationToken cancellationToken)
    {
        if (httpContext is not null && httpContext.Features.Get<EndedSessionFeature>() is null &&
            await endedSessions.FindAsync(storageId, cancellationToken) is { } reason)
        {
            httpContext.Features.Set(new EndedSessionFeature(
                reason.ToString(), SessionEndMessages.For(reason), ct => endedSessions.ForgetAsync(storageId, ct)));
        }

        return null;
    }

    private static string? Truncate(string userAgent) =>
        userAgent.Length == 0 ? null : userAgent.Length <= MaxUserAgentLength ? userAgent : userAgent[..MaxUserAgentLength];
}
