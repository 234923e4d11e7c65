namespace Bff.Proxy;

/// <summary>The token chosen for the current proxied request, handed from the token step to the transform.</summary>
/// <param name="Value">The access token, or null for an anonymous call.</param>
/// <param name="IsUserToken">The call carries the user's session: its response must not be cached anywhere.</param>
internal sealed record ProxyAccessToken(string? Value, bool IsUserToken);
