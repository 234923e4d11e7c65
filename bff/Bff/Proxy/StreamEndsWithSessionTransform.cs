using Bff.Sessions;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>
/// Hands an answer that streams the user's data (server-sent events, NDJSON), called with the user's token, to
/// <see cref="SessionStreams"/>, which closes it when its session ends. Other answers finish on their own and cost
/// nothing here.
/// </summary>
internal sealed class StreamEndsWithSessionTransform(SessionStreams streams) : ResponseTransform
{
    private static readonly string[] StreamingMediaTypes = ["text/event-stream", "application/x-ndjson"];

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var http = context.HttpContext;
        if (http.Features.Get<ProxyAccessToken>() is { IsUserToken: true } &&
            IsStream(http.Response.ContentType) &&
            CurrentSession.Of(http) is { } session)
        {
            var route = http.GetReverseProxyFeature().Route.Config.RouteId;
            http.Response.RegisterForDispose(streams.Track(session.Id, route, http.Abort));
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsStream(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var end = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (end < 0 ? contentType.AsSpan() : contentType.AsSpan(0, end)).Trim();
        foreach (var streaming in StreamingMediaTypes)
        {
            if (mediaType.Equals(streaming, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
