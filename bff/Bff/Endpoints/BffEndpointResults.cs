using Bff.Http.Responses;
using Microsoft.AspNetCore.Http;

namespace Bff.Endpoints;

/// <summary>Answers shared by the management endpoints: a page for a browser navigation, problem+json for an API call.</summary>
internal static class BffEndpointResults
{
    public static Task BadRequestAsync(HttpContext context, string message) =>
        ResponseKind.WantsPage(context)
            ? ErrorPage.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid request", message)
            : ProblemResponse.BadRequest(context, message);
}
