using Bff.Http;
using Bff.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Bff.Proxy;

/// <summary>
/// Refuses request targets that could be read differently by the API than by the BFF's route match:
/// encoded slashes, backslashes and dots, dot segments, empty segments (<c>//host</c>), NUL, and targets
/// that are not origin-form paths. What is left is forwarded to the route's configured destination only.
/// </summary>
internal sealed class ProxyPathGuard(RequestDelegate next, ILogger<ProxyPathGuard> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (IsSafe(raw))
        {
            return next(context);
        }

        Log.ProxyPathRejected(logger, context.Request.Path);
        return ProblemResponse.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemCodes.InvalidPath,
            "Invalid path", "The request path contains encoded separators or dot segments, which are not forwarded.");
    }

    internal static bool IsSafe(string rawTarget)
    {
        var queryStart = rawTarget.IndexOf('?');
        var path = queryStart < 0 ? rawTarget : rawTarget[..queryStart];

        if (path.Length == 0 || path[0] != '/' || path.Contains("//", StringComparison.Ordinal) || path.Contains('\\'))
        {
            return false;
        }

        if (path.Contains("%2f", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("%5c", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("%2e", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("%00", StringComparison.Ordinal) ||
            path.Contains("%25", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
