using System.Buffers;
using Bff.Http.Responses;
using Bff.Logging;
using Microsoft.AspNetCore.Http.Features;

namespace Bff.Proxy;

/// <summary>
/// Refuses request targets that could be read differently by the API than by the BFF's route match:
/// encoded slashes, backslashes, dots and semicolons, <c>%u</c> escapes, dot segments (also with path
/// parameters, <c>..;/</c>, which Java servers resolve), empty segments (<c>//host</c>), NUL, and targets that are
/// not origin-form paths. Header values that are not printable ASCII are refused too: the HTTP client underneath
/// cannot send them, and a 400 says why where a 502 would not. The headers that are never forwarded are not
/// looked at (a cookie another app on the parent domain set must not stop every API call). What is left is
/// forwarded to the route's configured destination only.
/// </summary>
internal sealed class ProxyPathGuard(RequestDelegate next, ILogger<ProxyPathGuard> logger)
{
    // What the HTTP client can send in a header value: printable ASCII and tab.
    private static readonly SearchValues<char> Sendable =
        SearchValues.Create("\t" + string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c)));

    // Encoded slash, backslash, dot, NUL, percent and semicolon, and IIS's %u escapes.
    private static readonly SearchValues<string> EncodedSeparators =
        SearchValues.Create(["%2f", "%5c", "%2e", "%00", "%25", "%3b", "%u"], StringComparison.OrdinalIgnoreCase);

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
            if (RequestHeadersTransform.IsNotForwarded(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value.AsSpan().ContainsAnyExcept(Sendable))
                {
                    return name;
                }
            }
        }

        return null;
    }

    internal static bool IsSafe(string rawTarget)
    {
        var queryStart = rawTarget.IndexOf('?');
        var path = queryStart < 0 ? rawTarget : rawTarget[..queryStart];

        if (path.Length == 0 || path[0] != '/' || path.Contains("//", StringComparison.Ordinal) || path.Contains('\\') ||
            path.AsSpan().ContainsAny(EncodedSeparators))
        {
            return false;
        }

        foreach (var range in path.AsSpan().Split('/'))
        {
            // A path parameter does not hide a dot segment: "..;jsessionid=x" is ".." to a servlet container.
            var segment = path.AsSpan(range);
            var name = segment.IndexOf(';') is var semicolon and >= 0 ? segment[..semicolon] : segment;
            if (name is "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
