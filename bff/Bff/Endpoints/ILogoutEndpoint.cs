namespace Bff.Endpoints;

/// <summary>
/// <c>GET /bff/logout</c>: ends the session here and at the provider. Register your own implementation (before or after <c>AddBff</c>) to replace the BFF's; the route
/// stays, and its rate limits and anti-forgery rule still apply.
/// </summary>
public interface ILogoutEndpoint
{
    /// <summary>Answers one request to the endpoint.</summary>
    Task ProcessRequestAsync(HttpContext context);
}
