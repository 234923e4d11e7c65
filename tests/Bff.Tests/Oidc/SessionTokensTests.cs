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

    [Fact]
    public void Without_expires_in_a_jwt_exp_already_past_is_no_schedule()
    {
        Assert.Null(Apply($$"""{"access_token":"{{Jwt(Now.AddSeconds(-5))}}"}""").ExpiresAt);
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
