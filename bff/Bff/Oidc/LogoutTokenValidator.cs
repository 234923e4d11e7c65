using Bff.Distributed;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Bff.Oidc;

/// <summary>
/// OpenID Connect Back-Channel Logout 1.0 §2.6: on top of the signature (the provider's JWKS, never
/// <c>alg=none</c>), issuer and audience checks of <see cref="ProviderTokenValidator"/>, the logout token must
/// have <c>iat</c> within <see cref="MaxAge"/> (and not in the future), <c>exp</c> not passed when present,
/// the back-channel logout member in <c>events</c>, a <c>sid</c> or a <c>sub</c>, no <c>nonce</c>, and a
/// <c>jti</c> never seen before (kept in the <see cref="IReplayCache"/>). The specification only recommends
/// <c>typ</c> <c>logout+jwt</c>, and providers send <c>JWT</c> or nothing (Keycloak before 25, among others),
/// so those pass too unless <c>requireLogoutJwtType</c> is set; any other explicit type (<c>at+jwt</c>, …) is refused.
/// </summary>
internal sealed class LogoutTokenValidator(ProviderTokenValidator tokens, IReplayCache replays, bool requireLogoutJwtType = false)
{
    public const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    /// <summary>How old a logout token may be; older ones are refused, so the replay cache needs to remember no longer.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private static readonly string[] LogoutTypes = ["logout+jwt", "application/logout+jwt"];
    private static readonly string[] PlainTypes = ["JWT", "application/jwt"];

    public async Task<LogoutToken> ValidateAsync(string logoutToken, CancellationToken cancellationToken)
    {
        var token = await tokens.ValidateAsync(logoutToken, requireExpiration: false, cancellationToken);

        if (!HasAcceptableType(token.Typ))
        {
            throw new OidcProtocolException("The logout token has the wrong type (typ).");
        }

        var issuedAt = tokens.IssuedAt(token, "logout token");
        if (issuedAt < tokens.Time.GetUtcNow() - MaxAge - tokens.ClockSkew)
        {
            throw new OidcProtocolException("The logout token is too old (iat).");
        }

        if (!HasLogoutEvent(token))
        {
            throw new OidcProtocolException("The logout token has no back-channel logout event (events).");
        }

        if (token.TryGetClaim("nonce", out _))
        {
            throw new OidcProtocolException("The logout token carries a nonce, which logout tokens must not.");
        }

        var subject = string.IsNullOrEmpty(token.Subject) ? null : token.Subject;
        token.TryGetPayloadValue<string>("sid", out var sid);
        sid = string.IsNullOrEmpty(sid) ? null : sid;
        if (subject is null && sid is null)
        {
            throw new OidcProtocolException("The logout token names neither a subject (sub) nor a session (sid).");
        }

        if (string.IsNullOrEmpty(token.Id))
        {
            throw new OidcProtocolException("The logout token has no id (jti).");
        }

        // Remembered for as long as the token could pass the checks above.
        var acceptedUntil = issuedAt + MaxAge + tokens.ClockSkew + tokens.ClockSkew;
        if (token.ValidTo != DateTime.MinValue && new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + tokens.ClockSkew > acceptedUntil)
        {
            acceptedUntil = new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + tokens.ClockSkew;
        }

        // Recorded before the sessions are ended, so that of two concurrent deliveries only one passes; see ForgetAsync.
        var replayKey = "logout-jti:" + token.Issuer + "|" + token.Id;
        if (!await replays.TryAddAsync(replayKey, acceptedUntil, cancellationToken))
        {
            throw new OidcProtocolException("The logout token was already used (jti).");
        }

        return new LogoutToken(subject, sid, replayKey);
    }

    /// <summary>
    /// Forgets that this token was used, when the logout it asked for could not be carried out (the session store
    /// was unavailable): the provider's retry of the same token is then accepted rather than refused as a replay.
    /// </summary>
    public Task ForgetAsync(LogoutToken token) => replays.RemoveAsync(token.ReplayKey);

    private bool HasAcceptableType(string? typ) =>
        LogoutTypes.Contains(typ, StringComparer.OrdinalIgnoreCase) ||
        (!requireLogoutJwtType && (string.IsNullOrEmpty(typ) || PlainTypes.Contains(typ, StringComparer.OrdinalIgnoreCase)));

    private static bool HasLogoutEvent(JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<JsonElement>("events", out var events) || events.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        return events.TryGetProperty(BackChannelLogoutEvent, out var member) && member.ValueKind == JsonValueKind.Object;
    }
}

/// <summary>
/// A validated logout token: the provider's user and/or session to sign out, and the replay cache's key of its
/// <c>jti</c>.
/// </summary>
internal sealed record LogoutToken(string? Subject, string? ProviderSessionId, string ReplayKey);
