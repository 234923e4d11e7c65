using Bff.Logging;
using Bff.Sessions.Cookie;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// A browser whose session was ended from somewhere else (another of the user's sessions, sign out everywhere,
/// the provider's back-channel logout) must prove itself again: the provider's own session in that browser is
/// still alive, and single sign-on would let it straight back in. So when such a session ends, its storage id
/// is remembered (in the <see cref="IEndedSessionStore"/>, under its own key, not used up by the 401 that tells
/// the reason), and the next <c>/bff/login</c> from a browser still holding that cookie asks the provider for
/// <c>prompt=login</c>. A session that merely timed out, or that the user signed out of here, signs in as usual.
/// </summary>
internal sealed class ReauthenticationRequirement(
    IEndedSessionStore ended,
    ILogger<ReauthenticationRequirement> logger) : ISessionEndObserver
{
    /// <summary>The authorize parameter, as Microsoft's OpenID Connect handler reads it from the challenge's properties.</summary>
    public const string PromptParameter = "prompt";

    /// <summary>The ended-session store's keys for these demands (ahead of the storage id).</summary>
    internal const string KeyPrefix = "reauth:";

    /// <summary>Ends that another party decided on; the browser that held the session did not ask for them.</summary>
    public static bool IsRequiredAfter(SessionEndReason reason) => reason is
        SessionEndReason.EndedFromOtherSession or SessionEndReason.SignOutEverywhere or SessionEndReason.BackChannel;

    public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken) =>
        IsRequiredAfter(reason)
            ? ended.RememberAsync(KeyPrefix + session.Id, reason, session.AbsoluteExpiresAt + EndedSessionObserver.Grace, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Asks for <c>prompt=login</c> on this sign-in when the request's cookie names such a session.</summary>
    public async Task ApplyAsync(HttpContext context, AuthenticationProperties properties)
    {
        if (SessionCookieFormat.IncomingStorageId(context) is not { } storageId ||
            await ended.FindAsync(KeyPrefix + storageId, context.RequestAborted) is not { } reason)
        {
            return;
        }

        properties.SetParameter(PromptParameter, "login");
        Log.ReauthenticationRequired(logger, reason.ToString());
    }
}
