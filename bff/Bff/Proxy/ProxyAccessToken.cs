namespace Bff.Proxy;

/// <summary>The token chosen for the current proxied request, handed from the token step to the transform.</summary>
internal sealed class ProxyAccessToken(string? value, bool isUserToken)
{
    public string? Value { get; } = value;

    /// <summary>The call carries the user's session: its response must not be cached anywhere.</summary>
    public bool IsUserToken { get; } = isUserToken;
}
