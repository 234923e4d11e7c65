using Bff.Http.Responses;

namespace Bff.Proxy;

/// <summary>
/// Step of the proxy pipeline that answers a call YARP could not carry out, which YARP leaves with a status and an
/// empty body: the same status, as problem+json with a stable code (a readable page for a browser navigation), never
/// the exception (YARP logs it). <c>upstream_unavailable</c> when the API cannot be reached or its answer cannot be
/// read (502) or the cluster has no destination available (503); <c>upstream_timeout</c> when it does not answer
/// within the cluster's activity timeout (504); <c>request_too_large</c> for a body over the route's limit (413);
/// <c>invalid_request</c> for the other failures of the client's body (it broke off or came too slowly).
/// </summary>
internal sealed class ProxyErrorMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        // An answer already on its way cannot be replaced (YARP cuts it off), a client that went away reads nothing,
        // and below 400 the API's own answer arrived whole before its request body failed.
        if (context.GetForwarderErrorFeature() is null || context.Response.HasStarted ||
            context.RequestAborted.IsCancellationRequested || context.Response.StatusCode < 400)
        {
            return;
        }

        var status = context.Response.StatusCode;
        var (code, title, detail) = status switch
        {
            StatusCodes.Status413PayloadTooLarge =>
                (ProblemCodes.RequestTooLarge, "Request too large", "The request body is larger than this API accepts."),
            StatusCodes.Status504GatewayTimeout =>
                (ProblemCodes.UpstreamTimeout, "API timed out", "The API did not answer in time; try again in a moment."),
            >= 500 => (ProblemCodes.UpstreamUnavailable, "API unavailable", "The API could not be reached; try again in a moment."),
            _ => (ProblemCodes.InvalidRequest, "Invalid request", "The request body could not be read."),
        };
        await ErrorResponse.WriteAsync(context, status, code, title, detail);
    }
}
