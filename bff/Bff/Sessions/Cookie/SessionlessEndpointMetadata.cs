namespace Bff.Sessions.Cookie;

/// <summary>
/// Marks an endpoint that never uses the caller's session (health probes): its request is handled as
/// anonymous, so neither a cookie nor a session-store outage can change its answer.
/// </summary>
internal sealed class SessionlessEndpointMetadata
{
    public static readonly SessionlessEndpointMetadata Instance = new();

    private SessionlessEndpointMetadata()
    {
    }
}
