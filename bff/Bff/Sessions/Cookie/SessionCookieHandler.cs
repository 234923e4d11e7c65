using System.Text.Encodings.Web;
using Bff.Diagnostics;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bff.Sessions.Cookie;

/// <summary>
/// The session cookie's handler: ASP.NET Core's cookie handler, except that a sign-in never continues the
/// session the request's cookie names. The framework renews the ticket under the incoming cookie's key, so a
/// cookie planted in a browser before the user signs in (session fixation), or the cookie of an earlier
/// sign-in, would go on working as the newly signed-in user. Here that session is ended first (reason
/// <see cref="SessionEndReason.Replaced"/>: its refresh token is revoked, its end recorded), which leaves
/// the framework no session to renew, so it stores the ticket under a new key.
/// </summary>
internal sealed class SessionCookieHandler(
    IOptionsMonitor<CookieAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionTerminator terminator)
    : CookieAuthenticationHandler(options, logger, encoder)
{
    protected override async Task HandleSignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        using var activity = BffTelemetry.Source.StartActivity("bff.sign_in");
        if (SessionCookieFormat.IncomingSessionKey(Context, Options) is { } key)
        {
            var replaced = await terminator.EndAsync(SessionKeys.StorageIdFor(key), SessionEndReason.Replaced);
            activity?.SetTag("bff.session.replaced", replaced);
        }

        await base.HandleSignInAsync(user, properties);
        activity?.SetTag("bff.session.id", CurrentSession.Of(Context)?.PublicId);
    }
}
