using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Oidc;

/// <summary>The tokens a session holds, as saved in its ticket's properties.</summary>
internal sealed record SessionTokens(string? AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt, DateTimeOffset? IssuedAt)
{
    public const string AccessTokenName = "access_token";
    public const string RefreshTokenName = "refresh_token";
    public const string IdTokenName = "id_token";
    public const string ExpiresAtName = "expires_at";
    public const string IssuedAtName = "issued_at";

    public static SessionTokens From(AuthenticationProperties properties) => new(
        properties.GetTokenValue(AccessTokenName),
        properties.GetTokenValue(RefreshTokenName),
        ParseTime(properties.GetTokenValue(ExpiresAtName)),
        ParseTime(properties.GetTokenValue(IssuedAtName)));

    /// <summary>
    /// Writes a token response into the properties: the new access token and expiry, the rotated refresh
    /// token (or the old one kept when the provider did not rotate), and a new id_token when one came. Returns the
    /// access token's expiry as written (<see cref="ExpiryOf"/>), null when not known.
    /// </summary>
    public static DateTimeOffset? Apply(AuthenticationProperties properties, TokenResponse response, DateTimeOffset now)
    {
        var tokens = properties.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
        tokens[AccessTokenName] = response.AccessToken!;
        tokens[IssuedAtName] = FormatTime(now);
        var expiry = ExpiryOf(response, now);
        if (expiry is { } expiresAt)
        {
            tokens[ExpiresAtName] = FormatTime(expiresAt);
        }
        else
        {
            tokens.Remove(ExpiresAtName);
        }

        if (!string.IsNullOrEmpty(response.RefreshToken))
        {
            tokens[RefreshTokenName] = response.RefreshToken;
        }

        if (!string.IsNullOrEmpty(response.IdToken))
        {
            tokens[IdTokenName] = response.IdToken;
        }

        if (!string.IsNullOrEmpty(response.TokenType))
        {
            tokens["token_type"] = response.TokenType;
        }

        properties.StoreTokens(tokens.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
        return expiry;
    }

    /// <summary>
    /// How long a token whose answer gave no usable expiry is taken to live; with the refresh margin (at most half a
    /// token's lifetime) it is renewed after about half of it.
    /// </summary>
    public static readonly TimeSpan FallbackLifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the access token in <paramref name="response"/> stops working. <c>expires_in</c> is only recommended
    /// (RFC 6749 §5.1): without a positive one, a JWT access token's own <c>exp</c> counts. An expiry that is unusable
    /// (<c>expires_in</c> zero, negative or not a number, with no JWT <c>exp</c>) or already past (the provider's clock
    /// ahead of ours) becomes <see cref="FallbackLifetime"/> from now: renewed again soon, but not on every call, and
    /// not forwarded expired until the session ends. An opaque token with no <c>expires_in</c> at all has no known
    /// expiry (null): it does not expire on a schedule we know.
    /// </summary>
    public static DateTimeOffset? ExpiryOf(TokenResponse response, DateTimeOffset now)
    {
        if (response.ExpiresIn is { } seconds && seconds > 0)
        {
            return now.AddSeconds(seconds);
        }

        var exp = JwtExpiry(response.AccessToken);
        if (exp is null && !response.HasExpiresIn)
        {
            return null;
        }

        return exp > now ? exp : now + FallbackLifetime;
    }

    private static readonly JsonWebTokenHandler JwtReader = new();

    private static DateTimeOffset? JwtExpiry(string? accessToken)
    {
        try
        {
            return accessToken is not null && JwtReader.CanReadToken(accessToken) &&
                new JsonWebToken(accessToken).TryGetPayloadValue<long>("exp", out var exp)
                ? DateTimeOffset.FromUnixTimeSeconds(exp)
                : null;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return null;
        }
    }

    public static string FormatTime(DateTimeOffset time) => time.ToString("o", CultureInfo.InvariantCulture);

    // Read on every proxied call: the exact round-trip form we write is parsed fast; anything else the slow way.
    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParseExact(value, "o", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ||
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out time) ? time : null;
}
