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
    /// with <c>exp</c>; see <see cref="SessionTokens.Apply"/>) is never due: it does not expire on a schedule we know.
    /// </summary>
    public bool IsDue(DateTimeOffset? issuedAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is { } expires && expires - now <= MarginFor(issuedAt is { } issued ? expires - issued : null);

    /// <summary>True when the session has no access token, or its token is due.</summary>
    public bool IsDue(SessionTokens tokens, DateTimeOffset now) =>
        tokens.AccessToken is null || IsDue(tokens.IssuedAt, tokens.ExpiresAt, now);
}
