using Bff.Diagnostics;
using Bff.Http.Edge;
using Bff.Http.Responses;
using Bff.Logging;
using Bff.Oidc;
using Bff.RateLimiting;
using Bff.Sessions;
using Bff.Tokens;
using Yarp.ReverseProxy.Configuration;

namespace Bff.Proxy;

/// <summary>
/// Step of the proxy pipeline that gets the token the route asks for — the user's, fresh, or the BFF's
/// own — and refuses the call before anything is forwarded when there is none: 401 problem+json without
/// a session or when the session just ended, 503 when the provider cannot be reached. The BFF's own token
/// goes to callers without a session only on routes that opt in (<c>Bff.AllowAnonymous</c>), within
/// <c>Bff:RateLimits:AnonymousApi</c>.
/// </summary>
internal sealed class ProxyTokenMiddleware(
    RequestDelegate next,
    UserAccessTokenService userTokens,
    ClientAccessTokenCache clientTokens,
    ClientAddressResolver addresses,
    SessionCalls sessionCalls,
    [FromKeyedServices(ClientRateLimiter.AnonymousApi)] ClientRateLimiter anonymousCalls,
    ILogger<ProxyTokenMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<RouteTokenPolicy>() ?? RouteTokenPolicy.None;
        var type = policy.Type;
        using var activity = BffTelemetry.Source.StartActivity("bff.proxy");
        activity?.SetTag("bff.route", route.RouteId);
        activity?.SetTag("bff.token_type", type.ToString());

        if (type == TokenType.None)
        {
            await next(context);
            return;
        }

        var current = await CurrentSession.ReadAsync(context);
        var signedIn = current is not null;

        if (type == TokenType.Client && signedIn)
        {
            await ForwardWithAsync(context, route, await ClientTokenAsync(context, policy), isUserToken: false);
            return;
        }

        if (signedIn && type is TokenType.User or TokenType.UserOrNone or TokenType.UserOrClient)
        {
            var tokens = SessionTokens.From(current!.Ticket.Properties);
            var token = await userTokens.GetAsync(current.Record, tokens, context.RequestAborted);
            // The call carries the user's data: it ends with the session, however long its answer streams. A session
            // that ended here since this request read it sends no token at all.
            if (token.Outcome == AccessTokenOutcome.Success && !sessionCalls.Track(context, current.Record.Id, route.RouteId))
            {
                token = AccessTokenResult.SessionEnded;
            }

            await ForwardWithAsync(context, route, token, isUserToken: true);
            return;
        }

        switch (type)
        {
            case TokenType.UserOrNone:
                await next(context);
                break;
            case TokenType.Client or TokenType.UserOrClient when policy.AllowsAnonymous:
                if (!anonymousCalls.TryAcquire(ClientPartition.For(context, addresses), out var retryAfter))
                {
                    await BffRateLimiter.RejectAsync(context, retryAfter, addresses);
                    break;
                }

                await ForwardWithAsync(context, route, await ClientTokenAsync(context, policy), isUserToken: false);
                break;
            default:
                Log.ProxyNoSession(logger, route.RouteId);
                await ProblemResponse.NotAuthenticated(context, "Sign in to call this API.");
                break;
        }
    }

    private Task<AccessTokenResult> ClientTokenAsync(HttpContext context, RouteTokenPolicy policy) =>
        clientTokens.GetAsync(policy.ClientScope, policy.ClientResource, context.RequestAborted);

    private async Task ForwardWithAsync(HttpContext context, RouteConfig route, AccessTokenResult token, bool isUserToken)
    {
        switch (token.Outcome)
        {
            case AccessTokenOutcome.Success:
                context.Features.Set(new ProxyAccessToken(token.Token, isUserToken));
                await next(context);
                break;
            case AccessTokenOutcome.SessionEnded:
                Log.ProxyTokenUnavailable(logger, route.RouteId, "session ended");
                await ProblemResponse.WriteAsync(context, StatusCodes.Status401Unauthorized, ProblemCodes.SessionEnded,
                    "Session ended", "Your session has ended: sign in again.");
                break;
            default:
                Log.ProxyTokenUnavailable(logger, route.RouteId, "provider unavailable");
                context.Response.Headers.RetryAfter = "2";
                await ProblemResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ProblemCodes.ProviderUnavailable,
                    "Identity provider unavailable", "The access token could not be renewed right now; try again in a moment.");
                break;
        }
    }
}
