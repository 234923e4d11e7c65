using System.Net.Http.Headers;
using Bff.Configuration;
using Bff.Http.Edge;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Bff.Proxy;

/// <summary>
/// Adds to every remote-API route the transforms that make it a BFF route: the chosen token as the
/// <c>Authorization</c> header, no incoming credentials (Authorization, cookies) forwarded, X-Forwarded-*
/// replaced rather than appended (the host only when configured or named by a trusted proxy), no client-written
/// forwarding headers (<c>Forwarded</c>, <c>X-Real-IP</c>) passed on, and no cookies or CORS grants taken back
/// from the API.
/// </summary>
internal sealed class BffTransformProvider(IOptions<BffOptions> options) : ITransformProvider
{
    private const string ForwardedHost = "X-Forwarded-Host";

    // Forwarding headers a client can write itself: the API gets only the X-Forwarded-* the BFF sets.
    private static readonly string[] ClientForwardingHeaders =
    [
        "Forwarded", "X-Real-IP", ForwardedHost, "X-Original-For", "X-Original-Proto", ForwardedHeadersSetup.OriginalHostHeader,
        "X-Original-Prefix",
    ];

    // Headers an API must not set on the BFF's origin.
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

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        if (!RouteTokenPolicy.TryGetTokenType(context.Route, out _, out var error))
        {
            context.Errors.Add(new InvalidOperationException(error));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.AddXForwardedFor(action: ForwardedTransformActions.Set);
        context.AddXForwardedProto(action: ForwardedTransformActions.Set);
        context.AddXForwardedPrefix(action: ForwardedTransformActions.Set);
        context.UseDefaultForwarders = false;
        var forwardedHost = options.Value.ForwardedHost;

        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            headers.Remove(HeaderNames.Authorization);
            headers.Remove(HeaderNames.Cookie);
            foreach (var header in ClientForwardingHeaders)
            {
                headers.Remove(header);
            }

            var host = forwardedHost ??
                (ForwardedHeadersSetup.HostFromTrustedProxy(transform.HttpContext) ? transform.HttpContext.Request.Host.Value : null);
            if (!string.IsNullOrEmpty(host))
            {
                headers.TryAddWithoutValidation(ForwardedHost, host);
            }

            if (transform.HttpContext.Features.Get<ProxyAccessToken>()?.Value is { } token)
            {
                headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return ValueTask.CompletedTask;
        });

        context.AddResponseTransform(transform =>
        {
            var response = transform.HttpContext.Response;
            foreach (var header in BlockedResponseHeaders)
            {
                response.Headers.Remove(header);
            }

            if (transform.HttpContext.Features.Get<ProxyAccessToken>()?.IsUserToken == true)
            {
                response.Headers.CacheControl = "no-store";
            }

            return ValueTask.CompletedTask;
        });
    }
}
