using Bff.Http.Responses;
using Bff.Logging;
using Bff.Sessions.Cookie;

namespace Bff.Sessions.Store;

/// <summary>
/// The one place an unreachable session store becomes an answer: 503 problem+json
/// (<see cref="ProblemCodes.SessionStoreUnavailable"/>) for API calls, a readable page for everything else
/// (browser navigations, the sign-in callback among them). Whatever needed the session — the cookie
/// handler, an endpoint, the proxy — simply lets <see cref="SessionStoreUnavailableException"/> propagate
/// to here. Endpoints marked <see cref="SessionlessEndpointMetadata"/> are served without the caller's cookies.
/// </summary>
internal sealed class SessionStoreUnavailableMiddleware(RequestDelegate next, ILogger<SessionStoreUnavailableMiddleware> logger)
{
    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    internal const string RetryAfterSeconds = "5";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<SessionlessEndpointMetadata>() is not null)
        {
            context.Request.Headers.Cookie = default;
        }

        try
        {
            await next(context);
        }
        catch (Exception ex) when (SessionStoreUnavailableException.Find(ex) is { } unavailable && !context.Response.HasStarted)
        {
            Log.SessionStoreUnavailable(logger, context.Request.Method, context.Request.Path, unavailable.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = RetryAfterSeconds;

            // The same split as the cookie's 401-or-redirect: API calls get problem+json, people get a page.
            if (ResponseKind.WantsPage(context))
            {
                await ErrorPage.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Sign-in is temporarily unavailable",
                    "Your session cannot be read or saved right now. Please try again in a moment.");
                return;
            }

            await ProblemResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemCodes.SessionStoreUnavailable,
                "Session store unavailable", "Sessions cannot be read right now. Try again in a moment.");
        }
    }
}
