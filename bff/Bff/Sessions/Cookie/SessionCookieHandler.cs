using System.Text.Encodings.Web;
using Bff.Diagnostics;
using Bff.Sessions.Lifecycle;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bff.Sessions.Cookie;

/// <summary>
/// The session cookie's handler: ASP.NET Core's cookie handler, except that a sign-in never continues the
/// session the request's cookie names. The framework renews the ticket under the incoming cookie's key, so a
/// cookie planted in a browser before the user signs in (session fixation), or the cookie of an earlier
/// sign-in, would go on working as the newly signed-in user. Here that session is ended first (reason
/// <see cref="SessionEndReason.Replaced"/>: its refresh token is revoked, its end recorded), which leaves
/// the framework no session to renew, so it stores the ticket under a new key (on a request whose cookie was read
/// before, an app's own sign-in, by a handler that has not read it). So is the session the browser
/// held when it started the sign-in (<see cref="NoteSessionToReplace"/>): the callback comes from the provider's
/// site, and the <c>SameSite=Strict</c> cookie does not come with it.
/// </summary>
internal sealed class SessionCookieHandler(
    IOptionsMonitor<CookieAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionTerminator terminator)
    : CookieAuthenticationHandler(options, logger, encoder)
{
    // The sign-in's (data-protected) state carries it from /bff/login to the callback; the session never stores it.
    internal const string ReplacesItem = "bff.replaces";

    // Whether this request's cookie was read before the sign-in (an app's own SignInAsync on a signed-in request).
    private bool _authenticated;

    /// <summary>At the start of a sign-in: the session this browser holds now is to end when the sign-in completes.</summary>
    public static void NoteSessionToReplace(HttpContext context, AuthenticationProperties properties)
    {
        if (SessionCookieFormat.IncomingStorageId(context) is { } storageId)
        {
            properties.Items[ReplacesItem] = storageId;
        }
    }

    protected override async Task HandleSignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        using var activity = BffTelemetry.Source.StartActivity("bff.sign_in");
        var replaced = false;
        string? started = null;
        properties?.Items.Remove(ReplacesItem, out started);
        var incoming = SessionCookieFormat.IncomingStorageId(Context, Options);
        foreach (var storageId in new[] { incoming, started }.OfType<string>().Where(id => id.Length > 0).Distinct(StringComparer.Ordinal))
        {
            replaced |= await terminator.EndAsync(storageId, SessionEndReason.Replaced);
        }

        activity?.SetTag("bff.session.replaced", replaced);
        if (replaced && _authenticated)
        {
            // The framework remembers the session key it read earlier in this request and would renew that ended
            // session, dropping the new ticket and handing the browser the old key again. A handler that has read
            // nothing yet finds no session under the cookie and stores the ticket under a new key.
            var fresh = ActivatorUtilities.CreateInstance<SessionCookieHandler>(Context.RequestServices);
            await fresh.InitializeAsync(Scheme, Context);
            await fresh.SignInAsync(user, properties);
        }
        else
        {
            await base.HandleSignInAsync(user, properties);
        }

        activity?.SetTag("bff.session.id", CurrentSession.Of(Context)?.PublicId);
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        _authenticated = true;
        return base.HandleAuthenticateAsync();
    }
}
