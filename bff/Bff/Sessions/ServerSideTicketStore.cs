using System.Security.Claims;
using Bff.Logging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bff.Sessions;

/// <summary>
/// The cookie handler's <see cref="ITicketStore"/>: keeps the ticket (with every token) in the
/// <see cref="ISessionStore"/> under a fresh random key per sign-in, enforces the idle and absolute
/// limits on every read, and records activity.
/// </summary>
internal sealed class ServerSideTicketStore(
    ISessionStore store,
    SessionTerminator terminator,
    SessionTicketProtector tickets,
    SessionPolicy policy,
    TimeProvider time,
    ILogger<ServerSideTicketStore> logger) : ITicketStore
{
    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null!, cancellationToken);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        // A new key on every sign-in: a session id known before sign-in is worthless after it.
        var key = SessionKeys.NewKey();
        var now = time.GetUtcNow();
        var absolute = policy.AbsoluteExpiry(now);
        var session = new SessionRecord
        {
            Id = SessionKeys.StorageIdFor(key),
            PublicId = SessionKeys.NewPublicId(),
            Subject = ticket.Principal.FindFirstValue("sub") ?? throw new InvalidOperationException("The signed-in user has no 'sub' claim."),
            ProviderSessionId = ticket.Principal.FindFirstValue("sid"),
            CreatedAt = now,
            LastActivityAt = now,
            AbsoluteExpiresAt = absolute,
            ExpiresAt = policy.Expiry(now, absolute),
            UserAgent = httpContext?.Request.Headers.UserAgent.ToString(),
            IpAddress = httpContext?.Connection.RemoteIpAddress?.ToString(),
            Ticket = tickets.Protect(ticket),
        };

        await store.SaveAsync(session, cancellationToken);
        httpContext?.Features.Set(new CurrentSession(session));
        Log.SessionCreated(logger, session.PublicId, session.Subject, session.ProviderSessionId);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null!, cancellationToken);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var renewed = await store.ReplaceTicketAsync(SessionKeys.StorageIdFor(key), tickets.Protect(ticket), cancellationToken);
        if (renewed is not null)
        {
            httpContext?.Features.Set(new CurrentSession(renewed));
        }
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(SessionKeys.StorageIdFor(key), cancellationToken);
        if (session is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (policy.IsExpired(session, now))
        {
            var reason = session.ExpiresAt >= session.AbsoluteExpiresAt ? SessionEndReason.AbsoluteLifetime : SessionEndReason.IdleTimeout;
            await terminator.EndAsync(session.Id, reason, cancellationToken);
            return null;
        }

        var ticket = tickets.Unprotect(session.Ticket);
        if (ticket is null)
        {
            await terminator.EndAsync(session.Id, SessionEndReason.Unreadable, cancellationToken);
            return null;
        }

        if (SessionPolicy.Slides(httpContext) && policy.RecordActivity(session, now) is { } active)
        {
            session = await store.TouchAsync(session.Id, active.LastActivityAt, active.ExpiresAt, cancellationToken) ?? active;
        }

        httpContext?.Features.Set(new CurrentSession(session));
        return ticket;
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null!, cancellationToken);

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await terminator.EndAsync(SessionKeys.StorageIdFor(key), SessionEndReason.SignOut, cancellationToken);
    }
}
