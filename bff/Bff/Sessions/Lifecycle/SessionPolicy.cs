using Bff.Configuration;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// Idle and absolute limits: a session ends at the sooner of last activity + idle timeout and
/// creation + absolute lifetime. Activity is written at most every <see cref="ActivityGranularity"/>
/// so a busy session does not rewrite its record on every request.
/// </summary>
internal sealed class SessionPolicy(IOptions<BffOptions> options)
{
    private SessionOptions Limits => options.Value.Session;

    public TimeSpan ActivityGranularity =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, Limits.IdleTimeout.Ticks / 20));

    /// <summary>How many sessions one user may hold (<c>Bff:Session:MaxPerUser</c>).</summary>
    public int MaxPerUser => Limits.MaxPerUser;

    public DateTimeOffset AbsoluteExpiry(DateTimeOffset createdAt) => createdAt + Limits.AbsoluteLifetime;

    public DateTimeOffset Expiry(DateTimeOffset lastActivityAt, DateTimeOffset absoluteExpiresAt) =>
        Min(lastActivityAt + Limits.IdleTimeout, absoluteExpiresAt);

    public bool IsExpired(SessionRecord session, DateTimeOffset now) => session.ExpiresAt <= now;

    /// <summary>Why an expired session expired: it reached its absolute lifetime, or it sat idle.</summary>
    public static SessionEndReason ExpiryReason(SessionRecord session) =>
        session.ExpiresAt >= session.AbsoluteExpiresAt ? SessionEndReason.AbsoluteLifetime : SessionEndReason.IdleTimeout;

    /// <summary>A request slides the idle timeout unless it says <c>slide=false</c> (an SPA polling for its session).</summary>
    public static bool Slides(HttpContext? context) =>
        context is null || !string.Equals(context.Request.Query["slide"], "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>The session after activity at <paramref name="now"/>, or null when nothing worth writing changed.</summary>
    public SessionRecord? RecordActivity(SessionRecord session, DateTimeOffset now) =>
        now - session.LastActivityAt < ActivityGranularity
            ? null
            : session with { LastActivityAt = now, ExpiresAt = Expiry(now, session.AbsoluteExpiresAt) };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
