using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>Remembers why each session ended, for the next request that still carries its cookie.</summary>
internal sealed class EndedSessionObserver(IEndedSessionStore ended) : ISessionEndObserver
{
    /// <summary>The cookie lives until the absolute expiry; a little longer covers clocks that disagree.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken) =>
        reason == SessionEndReason.SignOut
            // The user asked for it in this browser, which has dropped the cookie: nothing to explain.
            ? Task.CompletedTask
            : ended.RememberAsync(session.Id, reason, session.AbsoluteExpiresAt + Grace, cancellationToken);
}
