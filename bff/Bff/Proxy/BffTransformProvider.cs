using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Bff.Proxy;

/// <summary>
/// Adds to every remote-API route the transforms that make it a BFF route: the chosen token as the
/// <c>Authorization</c> header, no incoming credentials (Authorization, cookies) forwarded, X-Forwarded-*
/// replaced rather than appended, and no cookies or CORS grants taken back from the API.
/// </summary>
internal sealed class BffTransformProvider : ITransformProvider
{
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
        context.AddXForwarded(ForwardedTransformActions.Set);

        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            headers.Remove(HeaderNames.Authorization);
            headers.Remove(HeaderNames.Cookie);

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
