namespace Bff.Endpoints;

/// <summary>
/// <c>POST /bff/backchannel</c>: the provider's back-channel logout. Register your own implementation (before or after <c>AddBff</c>) to replace the BFF's; the route
/// stays, and its rate limits and anti-forgery rule still apply.
/// </summary>
public interface IBackChannelLogoutEndpoint
{
    /// <summary>Answers one request to the endpoint.</summary>
    Task ProcessRequestAsync(HttpContext context);
}
