namespace Bff.Proxy;

/// <summary>Which access token a remote-API route forwards, set per route with the <c>Bff.TokenType</c> metadata.</summary>
public enum TokenType
{
    /// <summary>No token: the call is forwarded anonymously.</summary>
    None,

    /// <summary>The signed-in user's token; without a session the call gets 401.</summary>
    User,

    /// <summary>The user's token when signed in, else no token.</summary>
    UserOrNone,

    /// <summary>The BFF's own client-credentials token, whoever calls.</summary>
    Client,

    /// <summary>The user's token when signed in, else the BFF's client-credentials token.</summary>
    UserOrClient,
}
