using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// Told about every session that ends, whatever ended it (revoke its refresh token, write the audit
/// event, count it). Registered with <c>TryAddEnumerable</c>; an observer's failure is logged and never
/// stops the session from ending.
/// </summary>
public interface ISessionEndObserver
{
    /// <summary>Called once for a session that has ended, with why it ended.</summary>
    Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken);
}
