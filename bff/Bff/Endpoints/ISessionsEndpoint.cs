namespace Bff.Endpoints;

/// <summary>
/// <c>/bff/sessions</c>: the user's own sessions (list, events, end one, end others, end all); one implementation answers all five routes. Register your own implementation (before or after <c>AddBff</c>) to replace the BFF's; the route
/// stays, and its rate limits and anti-forgery rule still apply.
/// </summary>
public interface ISessionsEndpoint
{
    /// <summary>Answers one request to the endpoint.</summary>
    Task ProcessRequestAsync(HttpContext context);
}
