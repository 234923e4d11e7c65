using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>
/// No cookies or CORS grants taken back from the API (they would apply to the BFF's origin), and a response
/// to a call made with the user's token is never cached.
/// </summary>
internal sealed class ResponseHeadersTransform : ResponseTransform
{
    public static readonly ResponseHeadersTransform Instance = new();

    private static readonly string[] BlockedResponseHeaders =
    [
        HeaderNames.SetCookie,
        HeaderNames.AccessControlAllowOrigin,
        HeaderNames.AccessControlAllowCredentials,
        HeaderNames.AccessControlAllowHeaders,
        HeaderNames.AccessControlAllowMethods,
        HeaderNames.AccessControlExposeHeaders,
        HeaderNames.AccessControlMaxAge,
    ];

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.HttpContext.Response;
        foreach (var header in BlockedResponseHeaders)
        {
            response.Headers.Remove(header);
        }

        if (context.HttpContext.Features.Get<ProxyAccessToken>()?.IsUserToken == true)
        {
            response.Headers.CacheControl = "no-store";
        }

        return ValueTask.CompletedTask;
    }
}
