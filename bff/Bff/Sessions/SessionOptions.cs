namespace Bff.Sessions;

/// <summary>How long a server-side session lives.</summary>
public sealed class SessionOptions
{
    /// <summary>A session ends after this long without a request. Defaults to 15 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after sign-in, whatever the activity. Defaults to 8 hours.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How many recent session events (created, refreshed, ended) are kept per user. Defaults to 50.</summary>
    public int AuditEventsPerUser { get; set; } = 50;

    /// <summary>How long session events are kept in the audit streams (with Redis). Defaults to 30 days.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(30);
}
