using Bff.Logging;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Sessions.Audit;

/// <summary>
/// Records what happens to sessions: a structured log event (event ids 9001–9003), the
/// <see cref="SessionStatistics"/> counters and, for sign-ins and ends (not token refreshes), an entry in the
/// user's <see cref="IAuditTrail"/>. Created is recorded by the
/// cookie's ticket store, ended by <see cref="SessionAuditObserver"/>, refreshed by the token refresh.
/// A failing trail is logged and never fails the request that caused the event.
/// </summary>
internal sealed class SessionAudit(
    IAuditTrail trail,
    SessionStatistics statistics,
    TimeProvider time,
    ILogger<SessionAudit> logger)
{
    public Task RecordCreatedAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        statistics.RecordSignIn();
        var entry = Entry(session, AuditEventKinds.Created, reason: null);
        Log.AuditSessionCreated(logger, entry.SessionId, entry.Subject, entry.ProviderSessionId, entry.IpAddress, entry.Device);
        return AppendAsync(entry, cancellationToken);
    }

    /// <summary>
    /// The session's tokens were refreshed. Audited in the log only: a refresh every few minutes would push
    /// sign-ins and sign-outs out of the user's short list of recent events.
    /// </summary>
    public void RecordRefreshed(SessionRecord session)
    {
        statistics.RecordRefresh();
        var entry = Entry(session, AuditEventKinds.Refreshed, reason: null);
        Log.AuditSessionRefreshed(logger, entry.SessionId, entry.Subject, entry.ProviderSessionId, entry.IpAddress, entry.Device);
    }

    public Task RecordEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        statistics.RecordSignOut(reason);
        if (reason == SessionEndReason.RefreshFailed)
        {
            statistics.RecordFailure(SessionStatistics.FailureRefresh);
        }

        var entry = Entry(session, AuditEventKinds.Ended, reason.ToString());
        Log.AuditSessionEnded(logger, entry.SessionId, entry.Subject, entry.ProviderSessionId, entry.IpAddress, entry.Device, entry.Reason!);
        return AppendAsync(entry, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEvent>> GetRecentAsync(string subject, CancellationToken cancellationToken) =>
        trail.GetRecentAsync(subject, cancellationToken);

    private AuditEvent Entry(SessionRecord session, string kind, string? reason) => new()
    {
        Kind = kind,
        At = time.GetUtcNow(),
        Subject = session.Subject,
        SessionId = session.PublicId,
        ProviderSessionId = session.ProviderSessionId,
        IpAddress = session.IpAddress,
        Device = UserAgentLabel.For(session.UserAgent),
        Reason = reason,
    };

    private async Task AppendAsync(AuditEvent entry, CancellationToken cancellationToken)
    {
        try
        {
            await trail.AppendAsync(entry, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AuditTrailFailed(logger, entry.Kind, entry.SessionId, ex.GetType().Name);
        }
    }
}
