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
        bff.MapGet("/login", LoginEndpoint.HandleAsync).RequireRateLimiting(BffRateLimiter.LoginPolicy);
        bff.MapGet("/logout", LogoutEndpoint.HandleAsync);
        bff.MapGet("/user", UserEndpoint.HandleAsync).WithMetadata(BffApiEndpointMetadata.Instance);
        // Called by the provider, server to server: no X-CSRF header.
        bff.MapPost("/backchannel", BackChannelLogoutEndpoint.HandleAsync).DisableAntiforgery();

        var sessions = bff.MapGroup("/sessions").WithMetadata(BffApiEndpointMetadata.Instance);
        sessions.MapGet("", SessionsEndpoint.ListAsync);
        sessions.MapDelete("", SessionsEndpoint.EndAllAsync);
        sessions.MapGet("/events", SessionsEndpoint.EventsAsync);
        // A literal segment wins over {publicId}; public ids are 22 base64url characters, never "others".
        sessions.MapDelete("/others", SessionsEndpoint.EndOthersAsync);
        sessions.MapDelete("/{publicId}", SessionsEndpoint.EndOneAsync);
        return endpoints;
    }
}
