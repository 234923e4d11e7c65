using System.Collections.Frozen;
using Bff.Http.Edge;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>
/// No incoming credentials (Authorization, cookies), no client-written forwarding headers (<c>Forwarded</c>,
/// <c>X-Real-IP</c>, …) and no headers that make some servers act on another method or path than the one the
/// route matched (<c>X-HTTP-Method-Override</c>, <c>X-Original-URL</c>, …) reach the API; <c>X-Forwarded-Host</c> is
/// set only when configured or named by a trusted proxy.
/// </summary>
internal sealed class RequestHeadersTransform(string? forwardedHost) : RequestTransform
{
    private const string ForwardedHost = "X-Forwarded-Host";

    /// <summary>The incoming headers that are never forwarded, whatever their value.</summary>
    public static readonly FrozenSet<string> NotForwarded = new[]
    {
        HeaderNames.Authorization, HeaderNames.Cookie,
        // Forwarding headers a client can write itself: the API gets only the X-Forwarded-* the BFF sets.
        "Forwarded", "X-Real-IP", ForwardedHost, "X-Original-For", "X-Original-Proto", ForwardedHeadersSetup.OriginalHostHeader,
        "X-Original-Prefix",
        // Method and URL overrides (method-override middlewares, IIS and PHP frameworks): with the user's token
        // attached, they would reach a method or path the route never matched.
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Original-URL", "X-Rewrite-URL",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        foreach (var header in NotForwarded)
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
