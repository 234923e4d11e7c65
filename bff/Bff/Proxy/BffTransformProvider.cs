using Bff.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Bff.Proxy;

/// <summary>
/// Refuses a route without a valid <c>Bff.TokenType</c>, and adds to every remote-API route the transforms that make
/// it a BFF route: <see cref="RequestHeadersTransform"/>, then X-Forwarded-For, -Proto and -Prefix set (never
/// appended to), <see cref="AccessTokenTransform"/> and <see cref="ResponseHeadersTransform"/>.
/// </summary>
internal sealed class BffTransformProvider(IOptions<BffOptions> options) : ITransformProvider
{
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
        // First of the request's transforms: the client's own forwarding headers go, all of them, before the route's
        // configured transforms (which YARP adds ahead of these) and the BFF's own write theirs.
        context.RequestTransforms.Insert(0, new RequestHeadersTransform(options.Value.ForwardedHost));
        context.AddXForwardedFor(action: ForwardedTransformActions.Set);
        context.AddXForwardedProto(action: ForwardedTransformActions.Set);
        context.AddXForwardedPrefix(action: ForwardedTransformActions.Set);
        context.UseDefaultForwarders = false;
        context.RequestTransforms.Add(AccessTokenTransform.Instance);
        // First of the answer's transforms: it removes what the API sent, before YARP's own add theirs (the
        // session-affinity cookie would go with the API's Set-Cookie otherwise).
        context.ResponseTransforms.Insert(0, ResponseHeadersTransform.Instance);
    }
}
