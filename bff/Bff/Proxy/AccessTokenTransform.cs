using System.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Bff.Proxy;

/// <summary>The token the token step chose (<see cref="ProxyAccessToken"/>), as the <c>Authorization: Bearer</c> header.</summary>
internal sealed class AccessTokenTransform : RequestTransform
{
    public static readonly AccessTokenTransform Instance = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (context.HttpContext.Features.Get<ProxyAccessToken>()?.Value is { } token)
        {
            context.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return ValueTask.CompletedTask;
    }
}
