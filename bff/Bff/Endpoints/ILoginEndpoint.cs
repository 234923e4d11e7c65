namespace Bff.Endpoints;

/// <summary>
/// <c>GET /bff/login</c>: starts sign-in at the provider. Register your own implementation (before or after <c>AddBff</c>) to replace the BFF's; the route
/// stays, and its rate limits and anti-forgery rule still apply.
/// </summary>
public interface ILoginEndpoint
{
    /// <summary>Answers one request to the endpoint.</summary>
    Task ProcessRequestAsync(HttpContext context);
}
