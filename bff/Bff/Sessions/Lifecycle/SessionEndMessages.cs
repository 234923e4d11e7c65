namespace Bff.Sessions.Lifecycle;

/// <summary>What to tell the person whose session ended, by reason.</summary>
internal static class SessionEndMessages
{
    public static string For(SessionEndReason reason) => reason switch
    {
        SessionEndReason.SignOut => "You signed out.",
        SessionEndReason.EndedFromOtherSession => "This session was signed out from another of your sessions.",
        SessionEndReason.SignOutEverywhere => "You signed out everywhere.",
        SessionEndReason.BackChannel => "You were signed out at your identity provider.",
        SessionEndReason.IdleTimeout => "Your session timed out after a period of inactivity.",
        SessionEndReason.AbsoluteLifetime => "Your session reached its maximum lifetime.",
        SessionEndReason.RefreshFailed => "Your sign-in could no longer be renewed at your identity provider.",
        SessionEndReason.Unreadable => "Your session could no longer be read by the server.",
        SessionEndReason.Replaced => "A new sign-in in this browser replaced this session.",
        SessionEndReason.SessionLimit => "You signed in on too many devices: your oldest session was ended.",
        _ => "Your session has ended.",
    };
}
