using Bff.Configuration;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Sessions.Cookie;

/// <summary>
/// The session cookie: HttpOnly, SameSite=Strict, essential, carrying only a protected reference to the
/// server-side session (<see cref="ServerSideTicketStore"/>). <c>Secure</c> and the <c>__Host-</c> prefix follow
/// the external scheme (see Http/Edge/HostPrefixCookies).
/// </summary>
internal static class SessionCookieSetup
{
    public static void Configure(CookieAuthenticationOptions cookie, BffOptions options, ServerSideTicketStore tickets, IDataProtectionProvider dataProtection)
    {
        cookie.Cookie.Name = options.CookieName;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.Cookie.Path = "/";
        cookie.Cookie.IsEssential = true;
        cookie.SessionStore = tickets;
        cookie.TicketDataFormat = new SessionCookieFormat(dataProtection, BffDefaults.CookieScheme);
        // The server-side session enforces idle and absolute limits; the cookie only mirrors the absolute one.
        cookie.ExpireTimeSpan = options.Session.AbsoluteLifetime;
        cookie.SlidingExpiration = false;
        cookie.Events = SessionCookieEvents.Create();
    }
}
