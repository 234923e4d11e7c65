using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Oidc;

/// <summary>How a token response is written into a session's properties.</summary>
public sealed class SessionTokensTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static SessionTokens Apply(string json)
    {
        var properties = new AuthenticationProperties();
        SessionTokens.Apply(properties, TokenResponse.TrySuccess(json)!, Now);
        return SessionTokens.From(properties);
    }

    private static string Jwt(DateTimeOffset expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["sub"] = "alice" },
        IssuedAt = Now.UtcDateTime,
        NotBefore = Now.UtcDateTime,
        Expires = expires.UtcDateTime,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public void Expires_in_gives_the_expiry()
    {
        Assert.Equal(Now.AddSeconds(300), Apply("""{"access_token":"opaque","expires_in":300}""").ExpiresAt);
    }

    // expires_in is only recommended: a JWT access token still says when it stops working, so it is refreshed in time
    // instead of being forwarded expired until the session ends.
    [Fact]
    public void Without_expires_in_a_jwt_access_tokens_own_expiry_counts()
    {
        var jwt = Jwt(Now.AddMinutes(10));

        var tokens = Apply($$"""{"access_token":"{{jwt}}"}""");

        Assert.Equal(Now.AddMinutes(10), tokens.ExpiresAt);
        Assert.Equal(jwt, tokens.AccessToken);
    }

    // Issue: an exp already past (the provider's clock ahead of ours) removed the expiry, so the expired token was
    // forwarded until the session ended; now it is renewed soon, though not on every call.
    [Fact]
    public void Without_expires_in_a_jwt_exp_already_past_expires_after_the_fallback_lifetime()
    {
        Assert.Equal(Now + SessionTokens.FallbackLifetime, Apply($$"""{"access_token":"{{Jwt(Now.AddSeconds(-5))}}"}""").ExpiresAt);
    }

    // Issue: expires_in 0 or less made the token due at once, so every proxied call refreshed (and rotated the refresh token).
    [Theory]
    [InlineData("0")]
    [InlineData("-60")]
    [InlineData("\"soon\"")]
    [InlineData("3599.5")]
    public void An_unusable_expires_in_on_an_opaque_token_expires_after_the_fallback_lifetime(string expiresIn)
    {
        Assert.Equal(Now + SessionTokens.FallbackLifetime, Apply($$"""{"access_token":"opaque","expires_in":{{expiresIn}}}""").ExpiresAt);
    }

    [Fact]
    public void An_unusable_expires_in_gives_way_to_a_jwt_access_tokens_own_expiry()
    {
        Assert.Equal(Now.AddMinutes(10), Apply($$"""{"access_token":"{{Jwt(Now.AddMinutes(10))}}","expires_in":0}""").ExpiresAt);
    }

    // Some providers send expires_in as a string, or as a float.
    [Theory]
    [InlineData("\"300\"")]
    [InlineData("300.0")]
    [InlineData("3e2")]
    public void A_numeric_string_or_whole_float_expires_in_gives_the_expiry(string expiresIn)
    {
        Assert.Equal(Now.AddSeconds(300), Apply($$"""{"access_token":"opaque","expires_in":{{expiresIn}}}""").ExpiresAt);
    }

    [Fact]
    public void An_explicit_null_expires_in_is_as_if_absent()
    {
        Assert.Null(Apply("""{"access_token":"opaque","expires_in":null}""").ExpiresAt);
    }

    [Theory]
    [InlineData("opaque-token")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJleHAiOiJzb29uIn0.")]
    public void Without_expires_in_an_opaque_or_unreadable_token_has_no_known_expiry(string accessToken)
    {
        Assert.Null(Apply($$"""{"access_token":"{{accessToken}}"}""").ExpiresAt);
    }
}
