using System.Collections.Frozen;
using Bff.Http.Edge;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>
/// No incoming credentials (Authorization, cookies), no client-written forwarding or identity headers (<c>Forwarded</c>,
/// any <c>X-Forwarded-*</c>, <c>X-Real-IP</c>, <c>X-Remote-User</c>, …) and no headers that make some servers act on
/// another method or path than the one the route matched (<c>X-HTTP-Method-Override</c>, <c>X-Original-URL</c>, …)
/// reach the API. It gets only the forwarding headers the BFF writes: <c>X-Forwarded-For</c>, <c>-Proto</c> and
/// <c>-Prefix</c> (YARP's transforms, after this one), and <c>X-Forwarded-Host</c>, set here only when configured or
/// named by a trusted proxy.
/// </summary>
internal sealed class RequestHeadersTransform(string? forwardedHost) : RequestTransform
{
    private const string ForwardedHost = "X-Forwarded-Host";

    // APIs, the frameworks under them and the proxies in front of them believe these: a client address (Node's
    // request-ip takes X-Client-IP first), the scheme, host and port to build URLs with (Spring, Rack), a user an
    // authenticating proxy vouched for (oauth2-proxy, Authelia), the method or path to act on.
    private static readonly FrozenSet<string> NotForwardedNames = new[]
    {
        HeaderNames.Authorization, HeaderNames.Cookie,
        "Forwarded", "Forwarded-For", "X-Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP",
        "CF-Pseudo-IPv4", "Fastly-Client-IP", "X-Cluster-Client-IP", "X-AppEngine-User-IP", "X-Host",
        "X-Remote-User", "Remote-User", "Remote-Groups", "Remote-Email", "Remote-Name",
        // Method and URL overrides (method-override middlewares, IIS and PHP frameworks): with the user's token
        // attached, they would reach a method or path the route never matched.
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Rewrite-URL",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // Whole families: X-Forwarded-* (the BFF writes its own after this transform), X-Original-* (the framework's
    // record of what a trusted proxy said, nginx's auth_request, IIS's X-Original-URL), oauth2-proxy's
    // X-Auth-Request-* and Envoy's X-Envoy-* (a sidecar in front of the API takes them from an in-mesh caller).
    private static readonly string[] NotForwardedPrefixes = ["X-Forwarded-", "X-Original-", "X-Auth-Request-", "X-Envoy-"];

    /// <summary>An incoming header that is never forwarded, whatever its value.</summary>
    public static bool IsNotForwarded(string name)
    {
        if (NotForwardedNames.Contains(name))
        {
            return true;
        }

        foreach (var prefix in NotForwardedPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        foreach (var name in context.HttpContext.Request.Headers.Keys)
        {
            if (IsNotForwarded(name))
            {
                headers.Remove(name);
            }
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
