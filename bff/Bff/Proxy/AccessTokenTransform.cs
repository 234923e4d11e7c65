using System.Runtime.CompilerServices;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>The token the token step chose (<see cref="ProxyAccessToken"/>), as the <c>Authorization: Bearer</c> header.</summary>
internal sealed class AccessTokenTransform : RequestTransform
{
    public static readonly AccessTokenTransform Instance = new();

    // A session's token is the same string on every call until it is refreshed: its header value is built once
    // (a JWT is a kilobyte or more) and lives as long as the token string does.
    private static readonly ConditionalWeakTable<string, string> HeaderValues = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (context.HttpContext.Features.Get<ProxyAccessToken>()?.Value is { } token)
        {
            var headers = context.ProxyRequest.Headers;
            headers.Remove(HeaderNames.Authorization);
            headers.TryAddWithoutValidation(HeaderNames.Authorization, HeaderValues.GetValue(token, static t => "Bearer " + t));
        }

        return ValueTask.CompletedTask;
    }
}
