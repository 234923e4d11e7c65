namespace Bff.Sessions.Store;

/// <summary>
/// One signed-in session as the store keeps it. The browser's cookie holds only a secret session key;
/// the store knows the session by <see cref="Id"/>, a hash of that key, so reading the store does not
/// yield working cookies.
/// </summary>
public sealed record SessionRecord
{
    /// <summary>The storage id: SHA-256 of the cookie's session key, base64url.</summary>
    public required string Id { get; init; }

    /// <summary>An opaque id safe to show the user and to end this session by.</summary>
    public required string PublicId { get; init; }

    /// <summary>The user's <c>sub</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>The provider's session id (<c>sid</c>), when it issues one.</summary>
    public string? ProviderSessionId { get; init; }

    /// <summary>When the user signed in.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The last request that counted as activity.</summary>
    public required DateTimeOffset LastActivityAt { get; init; }

    /// <summary>When the absolute lifetime ends, whatever the activity.</summary>
    public required DateTimeOffset AbsoluteExpiresAt { get; init; }

    /// <summary>When the session ends unless it sees activity: the sooner of the idle and absolute limits.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The browser's <c>User-Agent</c> at sign-in.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The client address at sign-in.</summary>
    public string? IpAddress { get; init; }

    /// <summary>The authentication ticket with the user's tokens, serialized and encrypted with Data Protection.</summary>
    public required byte[] Ticket { get; init; }

    /// <summary>
    /// Changes whenever <see cref="Ticket"/> is written (sign-in, token refresh), never on activity: a reader that
    /// holds the ticket decrypted under this stamp knows it is still current. 0 for a record stored without one.
    /// </summary>
    public long Stamp { get; init; } = SessionKeys.NewStamp();
}
