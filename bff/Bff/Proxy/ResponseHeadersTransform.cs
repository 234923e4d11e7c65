using Bff.Sessions.Cookie;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>
/// An API's answer is served from the BFF's origin, so nothing in it may act on that whole origin: no cookies, CORS
/// grants or origin-wide policies taken back from the API, no session countdown but the BFF's own, and the BFF's
/// strict Content-Security-Policy instead of the API's. A response to a call made with the user's token is never cached.
/// </summary>
internal sealed class ResponseHeadersTransform : ResponseTransform
{
    public static readonly ResponseHeadersTransform Instance = new();

    /// <summary>
    /// What a proxied answer may do when a browser opens it as a page: nothing. No script, style, image or frame, a
    /// unique origin of its own (<c>sandbox</c>), never framed. An API's HTML or SVG (an upload, an error page) then
    /// cannot run as the BFF's origin, where it could call every API with the user's cookie.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    private static readonly string[] BlockedResponseHeaders =
    [
        HeaderNames.SetCookie,
        HeaderNames.AccessControlAllowOrigin,
        HeaderNames.AccessControlAllowCredentials,
        HeaderNames.AccessControlAllowHeaders,
        HeaderNames.AccessControlAllowMethods,
        HeaderNames.AccessControlExposeHeaders,
        HeaderNames.AccessControlMaxAge,
        // Each of these acts on the whole origin, not on this answer.
        "Clear-Site-Data", // wipes the origin's cookies and storage: the user's session with them
        "Service-Worker-Allowed", // lets a service worker from the API's paths control the SPA's
        "Refresh", // sends a page on to another address
        "CDN-Cache-Control", // a CDN obeys these two over the Cache-Control the BFF sets
        "Surrogate-Control",
        HeaderNames.StrictTransportSecurity, // the BFF sets its own over HTTPS
        "NEL", // Network Error Logging: reports of every request to the origin, to where the API says
        "Report-To",
        HeaderNames.ContentSecurityPolicyReportOnly, // the BFF's policy replaces the API's, reports included
        // The BFF writes its own after this, only while the session lives and for answers below 400: the API's
        // value would move the SPA's countdown, or say a session lives on an error.
        SessionExpiryHeaderMiddleware.HeaderName,
    ];

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.HttpContext.Response;
        foreach (var header in BlockedResponseHeaders)
        {
            response.Headers.Remove(header);
        }

        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.HttpContext.Features.Get<ProxyAccessToken>()?.IsUserToken == true)
        {
            response.Headers.CacheControl = "no-store";
        }

        return ValueTask.CompletedTask;
    }
}
