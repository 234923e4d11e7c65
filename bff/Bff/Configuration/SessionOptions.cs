namespace Bff.Configuration;

/// <summary>How long a server-side session lives.</summary>
public sealed class SessionOptions
{
    /// <summary>A session ends after this long without a request. Defaults to 15 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after sign-in, whatever the activity. Defaults to 8 hours.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How many recent session events (created, refreshed, ended) are kept per user. Defaults to 50.</summary>
    public int AuditEventsPerUser { get; set; } = 50;

    /// <summary>How long session events are kept in the audit trail (with Redis, its streams). Defaults to 30 days.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// With Redis, how many events the stream of every user's events keeps at most, newest first, on top of
    /// <see cref="AuditRetention"/>: a burst of sign-ins cannot fill Redis. Defaults to 1,000,000 (≈ 300 MB: an event takes ≈ 300 B).
    /// </summary>
    public int AuditLogMaxEvents { get; set; } = 1_000_000;

    /// <summary>
    /// How many sessions one user may hold at once; signing in beyond it ends the user's oldest session, so one
    /// account's sign-in loop cannot fill the store. Defaults to 100.
    /// </summary>
    public int MaxPerUser { get; set; } = 100;

    /// <summary>
    /// How many sessions' decrypted tickets each instance keeps, so that a request whose ticket has not changed
    /// reads only the session's stamp and expiry from the store. 0 turns the cache off. Defaults to 10,000.
    /// </summary>
    public int TicketCacheSize { get; set; } = 10_000;

    /// <summary>
    /// How often each instance asks the store whether the sessions of its proxied calls in flight (streams of
    /// server-sent events or JSON, long downloads) still live, and aborts the calls of those that ended elsewhere or
    /// expired. A session ended on the instance itself aborts its calls at once. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan StreamCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
