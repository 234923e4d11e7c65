using Bff.Configuration;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Bff.Oidc;

/// <summary>
/// The sign-in handler's correlation and nonce cookies of sign-ins started and not finished. Each start leaves
/// about 400 bytes for 15 minutes; a browser made to start sign-in over and over (a retry loop, a page that
/// keeps opening <c>/bff/login</c>) would carry so many that every request to the site fails as too large (431).
/// So a start finding several clears them first, and a finished sign-in clears the rest.
/// </summary>
internal static class PendingSignInCookies
{
    /// <summary>Unfinished sign-ins a browser may hold before the next start clears them.</summary>
    public const int MaxPending = 3;

    public static int Count(HttpContext context) =>
        context.Request.Cookies.Keys.Count(name => name.StartsWith(BffDefaults.CorrelationCookiePrefix, StringComparison.Ordinal));

    /// <summary>Deletes every correlation and nonce cookie the request carries.</summary>
    public static void DeleteAll(HttpContext context, OpenIdConnectOptions options)
    {
        foreach (var name in context.Request.Cookies.Keys)
        {
            var builder = name.StartsWith(BffDefaults.CorrelationCookiePrefix, StringComparison.Ordinal) ? options.CorrelationCookie
                : name.StartsWith(BffDefaults.NonceCookiePrefix, StringComparison.Ordinal) ? options.NonceCookie
                : null;
            if (builder is not null)
            {
                context.Response.Cookies.Delete(name, builder.Build(context));
            }
        }
    }
}
