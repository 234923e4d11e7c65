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

    /// <summary>True when the token expires within the margin (or has no known expiry and no token at all).</summary>
    public bool IsDue(DateTimeOffset? issuedAt, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        if (expiresAt is not { } expires)
        {
            // No expiry was given: the provider says the token does not expire on a schedule we know.
            return false;
        }

        TimeSpan? lifetime = issuedAt is { } issued ? expires - issued : null;
        return expires - now <= MarginFor(lifetime);
    }

    public bool IsDue(SessionTokens tokens, DateTimeOffset now) =>
        tokens.AccessToken is null || IsDue(tokens.IssuedAt, tokens.ExpiresAt, now);
}
