using Bff.Http.Edge;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>
/// No incoming credentials (Authorization, cookies) and no client-written forwarding headers (<c>Forwarded</c>,
/// <c>X-Real-IP</c>, …) reach the API; <c>X-Forwarded-Host</c> is set only when configured or named by a trusted proxy.
/// </summary>
internal sealed class RequestHeadersTransform(string? forwardedHost) : RequestTransform
{
    private const string ForwardedHost = "X-Forwarded-Host";

    // Forwarding headers a client can write itself: the API gets only the X-Forwarded-* the BFF sets.
    private static readonly string[] ClientForwardingHeaders =
    [
        "Forwarded", "X-Real-IP", ForwardedHost, "X-Original-For", "X-Original-Proto", ForwardedHeadersSetup.OriginalHostHeader,
        "X-Original-Prefix",
    ];

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        headers.Remove(HeaderNames.Authorization);
        headers.Remove(HeaderNames.Cookie);
        foreach (var header in ClientForwardingHeaders)
        {
            headers.Remove(header);
        }

        var host = forwardedHost ??
            (ForwardedHeadersSetup.HostFromTrustedProxy(context.HttpContext) ? context.HttpContext.Request.Host.Value : null);
        if (!string.IsNullOrEmpty(host))
        {
            headers.TryAddWithoutValidation(ForwardedHost, host);
        }

        return ValueTask.CompletedTask;
    }
}
