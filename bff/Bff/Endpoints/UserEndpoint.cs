using Bff.Configuration;
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
        context.Response.ContentType = "application/json";

        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartArray();
        foreach (var claim in ticket.Principal.Claims)
        {
            json.WriteStartObject();
            json.WriteString("type", claim.Type);
            json.WriteString("value", claim.Value);
            json.WriteEndObject();
        }

        var expiresIn = SessionExpiryHeaderMiddleware.SecondsLeft(session, time.GetUtcNow());
        json.WriteStartObject();
        json.WriteString("type", SessionExpiresIn);
        json.WriteNumber("value", expiresIn);
        json.WriteEndObject();

        json.WriteStartObject();
        json.WriteString("type", LogoutUrl);
        json.WriteString("value", LogoutEndpoint.UrlFor(context, session));
        json.WriteEndObject();
        json.WriteEndArray();
        await json.FlushAsync(context.RequestAborted);
    }
}
