using Bff.Configuration;
using Bff.Health;
using Bff.Sessions.Cookie;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the BFF's health endpoints.</summary>
public static class BffHealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/health/live</c> (200 while the process serves requests; runs no check) and <c>/health/ready</c>
    /// (every check tagged <see cref="BffDefaults.HealthReadyTag"/>, such as Redis; 503 when one is unhealthy).
    /// Both answer JSON: the overall status, and on readiness each check's status and the session statistics when
    /// <c>Bff:Health:ShowDetails</c> allows (by default in Development only). Neither looks at the caller's session.
    /// </summary>
    public static IEndpointRouteBuilder MapBffHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(BffDefaults.HealthLivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthResponseWriter.WriteStatusAsync,
        }).WithMetadata(SessionlessEndpointMetadata.Instance);
        endpoints.MapHealthChecks(BffDefaults.HealthReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(BffDefaults.HealthReadyTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).WithMetadata(SessionlessEndpointMetadata.Instance);
        return endpoints;
    }
}
