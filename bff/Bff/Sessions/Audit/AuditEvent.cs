using Bff.Sessions.Lifecycle;

namespace Bff.Sessions.Audit;

/// <summary>
/// One entry of a user's session history: what happened to which session, when, from where. Never a token,
/// a cookie value or a storage id.
/// </summary>
internal sealed record AuditEvent
{
    /// <summary><see cref="AuditEventKinds.Created"/>, <see cref="AuditEventKinds.Refreshed"/> or <see cref="AuditEventKinds.Ended"/>.</summary>
    public required string Kind { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The user's <c>sub</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>The session's public id.</summary>
    public required string SessionId { get; init; }

    /// <summary>The provider's session id (<c>sid</c>), when there is one.</summary>
    public string? ProviderSessionId { get; init; }

    /// <summary>The client address the session was created from.</summary>
    public string? IpAddress { get; init; }

    /// <summary>A short label of the session's browser, e.g. "Firefox on Windows".</summary>
    public string? Device { get; init; }

    /// <summary>For <see cref="AuditEventKinds.Ended"/>: the <see cref="SessionEndReason"/>.</summary>
    public string? Reason { get; init; }
}

/// <summary>The kinds of <see cref="AuditEvent"/>.</summary>
internal static class AuditEventKinds
{
    public const string Created = "created";
    public const string Refreshed = "refreshed";
    public const string Ended = "ended";
}
