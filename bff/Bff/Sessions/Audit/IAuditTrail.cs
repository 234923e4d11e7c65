namespace Bff.Sessions.Audit;

/// <summary>
/// The last events of each user's sessions, queryable by the user: in memory for one instance, a capped
/// Redis stream per user with Redis. Keeps at most <c>Bff:Session:AuditEventsPerUser</c> events a user.
/// </summary>
internal interface IAuditTrail
{
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>The user's most recent events, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> GetRecentAsync(string subject, CancellationToken cancellationToken);
}
