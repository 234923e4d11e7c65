using Bff.Configuration;
using Bff.Http.Responses;
using Bff.Endpoints;
using Bff.RateLimiting;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the <c>/bff/*</c> management endpoints.</summary>
public static class BffEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/bff/login</c>, <c>/bff/user</c>, <c>/bff/logout</c>, <c>/bff/backchannel</c> and the user's
    /// own sessions under <c>/bff/sessions</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapBffManagementEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var bff = endpoints.MapGroup(BffDefaults.EndpointsPath);
        bff.MapGet("/login", Resolve<ILoginEndpoint>(static (e, c) => e.ProcessRequestAsync(c))).RequireRateLimiting(BffRateLimiter.LoginPolicy);
        bff.MapGet("/logout", Resolve<ILogoutEndpoint>(static (e, c) => e.ProcessRequestAsync(c)));
        bff.MapGet("/user", Resolve<IUserEndpoint>(static (e, c) => e.ProcessRequestAsync(c))).WithMetadata(BffApiEndpointMetadata.Instance);
        // Called by the provider, server to server: no X-CSRF header.
        bff.MapPost("/backchannel", Resolve<IBackChannelLogoutEndpoint>(static (e, c) => e.ProcessRequestAsync(c))).DisableAntiforgery();

        var sessions = bff.MapGroup("/sessions").WithMetadata(BffApiEndpointMetadata.Instance);
        var mySessions = Resolve<ISessionsEndpoint>(static (e, c) => e.ProcessRequestAsync(c));
        sessions.MapGet("", mySessions);
        sessions.MapDelete("", mySessions);
        sessions.MapGet("/events", mySessions);
        // A literal segment wins over {publicId}; public ids are 22 base64url characters, never "others".
        sessions.MapDelete("/others", mySessions);
        sessions.MapDelete("/{publicId}", mySessions);
        return endpoints;
    }

    // Each request asks the container, so an app's own registration of the interface answers.
    private static RequestDelegate Resolve<TEndpoint>(Func<TEndpoint, HttpContext, Task> process) where TEndpoint : notnull =>
        context => process(context.RequestServices.GetRequiredService<TEndpoint>(), context);
}
