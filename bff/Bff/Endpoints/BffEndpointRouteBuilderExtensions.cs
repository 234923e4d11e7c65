using Bff.Antiforgery;
using Bff.Endpoints;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the <c>/bff/*</c> management endpoints.</summary>
public static class BffEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>/bff/login</c>, <c>/bff/user</c> and <c>/bff/logout</c>.</summary>
    public static IEndpointRouteBuilder MapBffManagementEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var bff = endpoints.MapGroup("/bff");
        bff.MapGet("/login", LoginEndpoint.HandleAsync);
        bff.MapGet("/logout", LogoutEndpoint.HandleAsync);
        bff.MapGet("/user", UserEndpoint.HandleAsync).WithMetadata(BffApiEndpointMetadata.Instance);
        return endpoints;
    }
}
