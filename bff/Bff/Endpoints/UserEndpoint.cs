using Bff.Http.Responses;
using Bff.Sessions.Cookie;
using Bff.Sessions;

namespace Bff.Endpoints;

/// <summary>
/// <c>GET /bff/user</c>: the signed-in user's claims as <c>[{ "type", "value" }]</c>, plus
/// <c>bff:session_expires_in</c> (seconds) and <c>bff:logout_url</c>. Never a token.
/// </summary>
internal sealed class UserEndpoint(TimeProvider time) : IUserEndpoint
{
    public const string SessionExpiresIn = "bff:session_expires_in";
    public const string LogoutUrl = "bff:logout_url";

    public async Task ProcessRequestAsync(HttpContext context)
    {
        if (await CurrentSession.ReadAsync(context) is not var (session, ticket))
        {
            await ProblemResponse.NotAuthenticated(context);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        var claims = ticket.Principal.Claims.Select(claim => new { type = claim.Type, value = (object)claim.Value })
            .Append(new { type = SessionExpiresIn, value = (object)SessionExpiryHeaderMiddleware.SecondsLeft(session, time.GetUtcNow()) })
            .Append(new { type = LogoutUrl, value = (object)LogoutEndpoint.UrlFor(context, session) });
        await context.Response.WriteAsJsonAsync(claims, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
