namespace Bff.Sessions.Lifecycle;

/// <summary>
/// Why recently ended sessions ended, by storage id, so that the browser still holding such a session's
/// cookie is told once why it was signed out ("signed out from another device") rather than just "not
/// signed in". In memory for one instance; shared through Redis with it.
/// </summary>
internal interface IEndedSessionStore
{
    /// <summary>Remembers the reason until <paramref name="keepUntil"/> (when the cookie would have expired anyway).</summary>
    Task RememberAsync(string storageId, SessionEndReason reason, DateTimeOffset keepUntil, CancellationToken cancellationToken);

    /// <summary>The reason, or null when unknown or already told.</summary>
    Task<SessionEndReason?> FindAsync(string storageId, CancellationToken cancellationToken);

    /// <summary>Forgets the reason once it has been told, so it is told only once.</summary>
    Task ForgetAsync(string storageId, CancellationToken cancellationToken);
}
