using Bff.Http.Responses;
using Bff.Logging;

namespace Bff.Http.Edge;

/// <summary>
/// The outermost step: what a hostile request can make the framework throw becomes a 4xx, and nothing ever
/// answers with exception text. <c>CONNECT</c> and <c>TRACE</c> are refused (405) before anything sees them;
/// a body that breaks the server's limits (too large, malformed) is the request's fault (its 4xx status); any
/// other failure that reaches here is logged and answered with a bare 500 problem.
/// </summary>
internal sealed class EdgeGuardMiddleware(RequestDelegate next, ILogger<EdgeGuardMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsConnect(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
            await ErrorResponse.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, ProblemCodes.MethodNotAllowed,
                "Method not allowed", $"{context.Request.Method} is not served here.");
            return;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            Log.BadRequestRefused(logger, context.Request.Method, context.Request.Path, ex.StatusCode);
            context.Response.Clear();
            var tooLarge = ex.StatusCode == StatusCodes.Status413PayloadTooLarge;
            await ErrorResponse.WriteAsync(context, ex.StatusCode, tooLarge ? ProblemCodes.RequestTooLarge : ProblemCodes.InvalidRequest,
                tooLarge ? "Request too large" : "Invalid request",
                tooLarge ? "The request body is larger than this endpoint accepts." : "The request could not be read.");
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Log.UnhandledRequestFailure(logger, context.Request.Method, context.Request.Path, ex);
            context.Response.Clear();
            await ErrorResponse.WriteAsync(context, StatusCodes.Status500InternalServerError, ProblemCodes.InternalError,
                "Something went wrong", "The request could not be completed. Please try again.");
        }
    }
}
