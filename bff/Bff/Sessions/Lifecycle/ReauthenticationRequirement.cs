using Bff.Logging;
using Bff.Sessions.Cookie;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// A browser whose session was ended from somewhere else (another of the user's sessions, sign out everywhere,
/// the provider's back-channel logout) must prove itself again: the provider's own session in that browser is
/// still alive, and single sign-on would let it straight back in. So when such a session ends, its storage id
/// and its provider session (<c>sid</c>) are remembered (in the <see cref="IEndedSessionStore"/>, under keys of
/// their own, not used up by the 401 that tells the reason). The next <c>/bff/login</c> from a browser still holding
/// that cookie asks the provider for <c>prompt=login</c>; a browser that dropped the cookie and comes back by
/// single sign-on in the same provider session is sent back to the provider with <c>prompt=login</c> from the
/// callback, before any session is made. A session that merely timed out, or that the user signed out of here,
/// signs in as usual. Asked is checked against done: a sign-in that asked for <c>prompt=login</c> and comes back
/// with an earlier authentication makes no session (<see cref="Oidc.AuthenticationAge"/>).
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

    /// <summary>
    /// The sign-in state's item saying that this sign-in asked the provider for <c>prompt=login</c>, and when (Unix
    /// seconds on the BFF's clock; read as such by instances of the version before <see cref="Oidc.AuthenticationAge"/>,
    /// during a rolling upgrade).
    /// </summary>
    internal const string AskedItem = "bff.prompt_login";

    /// <summary>The authorize parameter that makes the provider put <c>auth_time</c> into the id_token (OpenID Connect Core §3.1.2.1).</summary>
    private const string MaxAgeParameter = "max_age";

    // Ahead of a provider session id: storage ids are hex digests, so the two never meet.
    private const string ProviderSessionPrefix = KeyPrefix + "sid:";

    public async Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        if (!IsRequiredAfter(reason))
        {
            return;
        }

        var keepUntil = session.AbsoluteExpiresAt + EndedSessionObserver.Grace;
        await ended.RememberAsync(KeyPrefix + session.Id, reason, keepUntil, cancellationToken);
        if (session.ProviderSessionId is { } sid)
        {
            await ended.RememberAsync(ProviderSessionPrefix + sid, reason, keepUntil, cancellationToken);
        }
    }

    /// <summary>Asks for <c>prompt=login</c> on this sign-in when the request's cookie names such a session.</summary>
    public async Task ApplyAsync(HttpContext context, AuthenticationProperties properties)
    {
        if (SessionCookieFormat.IncomingStorageId(context) is not { } storageId ||
            await ended.FindAsync(KeyPrefix + storageId, context.RequestAborted) is not { } reason)
        {
            return;
        }

        Demand(properties);
        Log.ReauthenticationRequired(logger, reason.ToString());
    }

    /// <summary>
    /// Makes a sign-in ask the provider to authenticate the user again: <c>prompt=login</c>, and <c>max_age=0</c> (over
    /// any the sign-in asked for), with which the provider must say in the id_token when the user last authenticated.
    /// </summary>
    public static void Demand(AuthenticationProperties properties)
    {
        properties.SetParameter(PromptParameter, "login");
        properties.SetParameter(MaxAgeParameter, "0");
    }

    /// <summary>
    /// At the sign-in's callback: whether the provider signed the user in by single sign-on in a provider session
    /// (<c>sid</c>) whose BFF session was ended from elsewhere, without being asked for <c>prompt=login</c>. A sign-in
    /// that was asked satisfies the demand, which is then forgotten, and is marked on <paramref name="context"/> as one
    /// that authenticated the user again (see <see cref="EndedDuringSignInAsync"/>).
    /// </summary>
    public async Task<bool> MustAskAgainAsync(HttpContext context, ClaimsPrincipal user, AuthenticationProperties properties, CancellationToken cancellationToken)
    {
        var asked = properties.Items.ContainsKey(AskedItem);
        if (asked)
        {
            context.Items[AuthenticatedAgainKey] = true;
        }

        if (user.FindFirstValue("sid") is not { Length: > 0 } sid ||
            await ended.FindAsync(ProviderSessionPrefix + sid, cancellationToken) is not { } reason)
        {
            return false;
        }

        if (asked)
        {
            await ended.ForgetAsync(ProviderSessionPrefix + sid, cancellationToken);
            return false;
        }

        Log.ReauthenticationRequired(logger, reason.ToString());
        return true;
    }

    /// <summary>
    /// Once a sign-in's session is saved: why its provider session was ended from elsewhere after the callback's
    /// check (<see cref="MustAskAgainAsync"/>), or null. Such an end (sign out everywhere, a session ended from another,
    /// a back-channel logout) listed the sessions before this one existed, and only then wrote its demand, so the
    /// new session must end too. A sign-in that authenticated the user again is not one the demand is about.
    /// </summary>
    public async Task<SessionEndReason?> EndedDuringSignInAsync(SessionRecord session, HttpContext? context, CancellationToken cancellationToken)
    {
        if (session.ProviderSessionId is not { Length: > 0 } sid || context?.Items.ContainsKey(AuthenticatedAgainKey) == true)
        {
            return null;
        }

        return await ended.FindAsync(ProviderSessionPrefix + sid, cancellationToken);
    }

    // Marks the request of a sign-in that asked the provider for prompt=login.
    private static readonly object AuthenticatedAgainKey = new();
}
