using Bff.Http.Responses;
using Bff.Logging;
using Microsoft.AspNetCore.Http.Features;

namespace Bff.Proxy;

/// <summary>
/// Refuses request targets that could be read differently by the API than by the BFF's route match:
/// encoded slashes, backslashes, dots and semicolons, <c>%u</c> escapes, dot segments (also with path
/// parameters, <c>..;/</c>, which Java servers resolve), empty segments (<c>//host</c>), NUL, and targets that are
/// not origin-form paths. Header values that are not printable ASCII are refused too: the HTTP client underneath
/// cannot send them, and a 400 says why where a 502 would not. What is left is forwarded to the route's
/// configured destination only.
/// </summary>
internal sealed class ProxyPathGuard(RequestDelegate next, ILogger<ProxyPathGuard> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (!IsSafe(raw))
        {
            Log.ProxyPathRejected(logger, context.Request.Path);
            return ProblemResponse.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemCodes.InvalidPath,
                "Invalid path", "The request path contains encoded separators or dot segments, which are not forwarded.");
        }

        if (FirstUnsendableHeader(context.Request.Headers) is { } header)
        {
            Log.ProxyHeaderRejected(logger, context.Request.Path, header);
            return ProblemResponse.BadRequest(context, $"The header '{header}' has characters that cannot be forwarded; send printable ASCII only.");
        }

        return next(context);
    }

    internal static string? FirstUnsendableHeader(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                foreach (var c in value ?? "")
                {
                    if (c is (< ' ' and not '\t') or > '~')
                    {
                        return name;
                    }
                }
            }
        }

        return null;
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
            path.Contains("%25", StringComparison.Ordinal) ||
            path.Contains("%3b", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("%u", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            // A path parameter does not hide a dot segment: "..;jsessionid=x" is ".." to a servlet container.
            var name = segment.Split(';')[0];
            if (name is "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
