namespace Bff.Sessions.Lifecycle;

/// <summary>Why a server-side session ended; recorded in the audit trail and the log.</summary>
public enum SessionEndReason
{
    /// <summary>The user signed out through <c>/bff/logout</c>.</summary>
    SignOut,

    /// <summary>The user ended it from another of their sessions.</summary>
    EndedFromOtherSession,

    /// <summary>The user signed out everywhere.</summary>
    SignOutEverywhere,

    /// <summary>The provider sent a back-channel logout.</summary>
    BackChannel,

    /// <summary>No request within the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The absolute lifetime was reached.</summary>
    AbsoluteLifetime,

    /// <summary>The refresh token was rejected (expired, revoked, reused), or the refreshed id_token did not match.</summary>
    RefreshFailed,

    /// <summary>The stored ticket could not be decrypted (the key ring lost its key).</summary>
    Unreadable,

    /// <summary>A new sign-in in the same browser replaced it: every sign-in starts a new session.</summary>
    Replaced,

    /// <summary>The user signed in more often than <c>Bff:Session:MaxPerUser</c> allows: the oldest session made room.</summary>
    SessionLimit,
}
