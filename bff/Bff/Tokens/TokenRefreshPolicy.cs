using Bff.Configuration;
using Bff.Oidc;

namespace Bff.Tokens;

/// <summary>
/// When an access token is due for renewal: within <see cref="TokenOptions.RefreshBeforeExpiry"/> of its
/// expiry, but never more than half its lifetime ahead, so a short-lived token is not renewed on every call.
/// </summary>
internal sealed class TokenRefreshPolicy(IOptions<BffOptions> options)
{
    public TimeSpan MarginFor(TimeSpan? lifetime)
    {
        var margin = options.Value.Tokens.RefreshBeforeExpiry;
        return lifetime is { } l && l > TimeSpan.Zero && l / 2 < margin ? l / 2 : margin;
    }

    /// <summary>
    /// True when the token expires within the margin. A token without an expiry (no <c>expires_in</c>, and not a JWT
    /// with <c>exp</c>; see <see cref="SessionTokens.ExpiryOf"/>) is never due: it does not expire on a schedule we know.
    /// </summary>
    public bool IsDue(DateTimeOffset? issuedAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is { } expires && expires - now <= MarginFor(issuedAt is { } issued ? expires - issued : null);

    /// <summary>
    /// How long a due token must still live to be used when it cannot be renewed right now (the provider failing, or
    /// its back-off): enough to reach the API and be checked there.
    /// </summary>
    public static readonly TimeSpan MinimumRemaining = TimeSpan.FromSeconds(5);

    /// <summary>Whether a token that expires at <paramref name="expiresAt"/> can still be forwarded while renewal fails.</summary>
    public static bool IsStillUsable(DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is not { } expires || expires - now >= MinimumRemaining;

    /// <summary>True when the session has no access token, or its token is due.</summary>
    public bool IsDue(SessionTokens tokens, DateTimeOffset now) =>
        tokens.AccessToken is null || IsDue(tokens.IssuedAt, tokens.ExpiresAt, now);
}
