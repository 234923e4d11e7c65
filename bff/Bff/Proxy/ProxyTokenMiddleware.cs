using Bff.Configuration;
using Bff.Http;
using Bff.Logging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Bff.Proxy;

/// <summary>
/// Step of the proxy pipeline that picks the token the route asks for and refuses the call (401
/// problem+json) when a required session is missing, before anything is forwarded.
/// </summary>
internal sealed class ProxyTokenMiddleware(RequestDelegate next, ILogger<ProxyTokenMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        RouteTokenPolicy.TryGetTokenType(route, out var type, out _);

        if (type == TokenType.None)
        {
            await next(context);
            return;
        }

        var result = await context.AuthenticateAsync(BffAuthenticationSchemes.Cookie);
        var token = result.Succeeded ? result.Properties?.GetTokenValue("access_token") : null;
        if (token is null)
        {
            if (type == TokenType.User)
            {
                Log.ProxyNoSession(logger, route.RouteId);
                await ProblemResponse.NotAuthenticated(context, "Sign in to call this API.");
                return;
            }

            await next(context);
            return;
        }

        context.Features.Set(new ProxyAccessToken(token, isUserToken: true));
        await next(context);
    }
}
