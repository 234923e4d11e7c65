using Bff.Configuration;
using Bff.Http.Responses;
using Bff.Proxy;
using Bff.Sessions.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Remote APIs: YARP routes that forward the SPA's calls with the right access token.</summary>
public static class RemoteApiExtensions
{
    /// <summary>Adds YARP with routes and clusters from configuration (usually <c>ReverseProxy</c>).</summary>
    public static BffBuilder AddRemoteApis(this BffBuilder builder, IConfiguration configuration)
    {
        builder.Services.AddReverseProxy().LoadFromConfig(configuration).AddTransforms<BffTransformProvider>();
        // Calls in flight end with their session: told of every end here, and asking the store about ends elsewhere.
        builder.Services.TryAddSingleton<SessionCalls>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionEndObserver, SessionCalls>(sp => sp.GetRequiredService<SessionCalls>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionCalls>(sp => sp.GetRequiredService<SessionCalls>()));
        return builder;
    }

    /// <summary>
    /// Maps the remote-API routes; each requires the <c>X-CSRF: 1</c> header. A call is refused before anything is
    /// chosen for it (path guard, token step), then goes through YARP's own steps: session affinity, load balancing
    /// and passive health checks, as in YARP's default pipeline. A call YARP cannot carry out (the API unreachable
    /// or too slow, a body too large) gets problem+json with a stable code instead of an empty body.
    /// </summary>
    public static ReverseProxyConventionBuilder MapRemoteApis(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapReverseProxy(proxy =>
            {
                proxy.UseMiddleware<ProxyPathGuard>();
                proxy.UseMiddleware<ProxyTokenMiddleware>();
                proxy.UseMiddleware<ProxyErrorMiddleware>();
                // A pipeline of our own replaces YARP's default one: without these, a cluster's load-balancing policy
                // and health checks are silently ignored.
                proxy.UseSessionAffinity();
                proxy.UseLoadBalancing();
                proxy.UsePassiveHealthChecks();
            })
            .WithMetadata(BffApiEndpointMetadata.Instance)
            .ConfigureEndpoints((endpoint, route) => endpoint.WithMetadata(RouteTokenPolicy.For(route)));
}
