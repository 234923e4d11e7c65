using Bff.Configuration;
using Bff.Sessions.Store;

namespace Bff.Sessions;

/// <summary>
/// The session the current request belongs to, and the one way to read it: the session cookie is authenticated
/// (the handler remembers its result for the request) and the ticket store keeps the record it read as this
/// feature.
/// </summary>
internal sealed class CurrentSession(SessionRecord record)
{
    public SessionRecord Record { get; set; } = record;

    /// <summary>The request's live session with its ticket (the user's claims, the tokens); null when it has none.</summary>
    public static async Task<SignedInSession?> ReadAsync(HttpContext context)
    {
        // The authentication middleware has usually authenticated the session cookie already (the default scheme).
        var result = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Ticket.AuthenticationScheme: BffDefaults.CookieScheme } done
            ? done
            : await context.AuthenticateAsync(BffDefaults.CookieScheme);
        return result.Succeeded && Of(context) is { } record ? new SignedInSession(record, result.Ticket) : null;
    }

    /// <summary>The session already read for this request, if any (no authentication is attempted).</summary>
    public static SessionRecord? Of(HttpContext context) => context.Features.Get<CurrentSession>()?.Record;

    /// <summary>Forgets the session for the rest of the request: it has just ended.</summary>
    public static void Forget(HttpContext context) => context.Features.Set<CurrentSession?>(null);
}

/// <summary>A signed-in request's session record and its authentication ticket.</summary>
internal sealed record SignedInSession(SessionRecord Record, AuthenticationTicket Ticket);
