using Bff.Http.Responses;
using Bff.Logging;

namespace Bff.Antiforgery;

/// <summary>
/// Refuses calls to BFF API endpoints without <c>X-CSRF: 1</c>. A cross-site form or image cannot set a
/// custom header, and a cross-site <c>fetch</c> that sets one needs a CORS preflight the BFF never grants,
/// so the header proves the call came from the SPA's own origin. Runs before authentication, so a forged
/// request does not even touch the session.
/// </summary>
internal sealed class AntiforgeryHeaderMiddleware(RequestDelegate next, ILogger<AntiforgeryHeaderMiddleware> logger)
{
    public const string HeaderName = ResponseKind.AntiforgeryHeader;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<BffApiEndpointMetadata>() is null ||
            context.Request.Headers[HeaderName] == "1")
        {
            return next(context);
        }

        Log.AntiforgeryHeaderMissing(logger, context.Request.Path);
        if (ResponseKind.WantsPage(context))
        {
            // Someone opened an endpoint of the app's interface in the address bar: a page, not raw JSON.
            return ErrorPage.WriteAsync(context, StatusCodes.Status401Unauthorized, "This address is not a page",
                "It belongs to the app's interface, which the app calls for you. Open the app instead.");
        }

        return ProblemResponse.WriteAsync(context, StatusCodes.Status401Unauthorized, ProblemCodes.AntiforgeryHeaderMissing,
            "Anti-forgery header missing", "Send the header 'X-CSRF: 1' with every call to this endpoint.");
    }
}
