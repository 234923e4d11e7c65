using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Sessions.Audit;

/// <summary>Writes the audit event of every session that ends, whatever ended it.</summary>
internal sealed class SessionAuditObserver(SessionAudit audit) : ISessionEndObserver
{
    public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken) =>
        audit.RecordEndedAsync(session, reason, cancellationToken);
}
