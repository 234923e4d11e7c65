using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Bff.Tests.Oidc;

public sealed class OidcClaimsTests
{
    private static readonly string[] ProtocolClaims =
        ["iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "s_hash", "jti"];

    private static ClaimsIdentity IdentityFrom(Dictionary<string, object?> payload) =>
        OidcClaims.CreateIdentity(new JsonWebToken(TestSigningKey.Unsigned(
            new Dictionary<string, object?> { ["alg"] = "RS256", ["kid"] = "k" }, payload)));

    private static Dictionary<string, object?> FullIdToken() => new()
    {
        ["iss"] = "https://idp.example",
        ["sub"] = "alice",
        ["aud"] = new[] { "bff", "api" },
        ["azp"] = "bff",
        ["exp"] = 1_900_000_000,
        ["iat"] = 1_899_999_000,
        ["nbf"] = 1_899_999_000,
        ["auth_time"] = 1_899_998_000,
        ["nonce"] = "n-0S6_WzA2Mj",
        ["at_hash"] = "77QmUPtjPfzWtF2AnpK9RQ",
        ["c_hash"] = "LDktKdoQak3Pk0cnXxCltA",
        ["s_hash"] = "s2J_Dq4gxvJMcF2C2ziyhw",
        ["jti"] = "id-token-1",
        ["sid"] = "provider-session-1",
        ["name"] = "Alice Liddell",
        ["email"] = "alice@example.test",
        ["email_verified"] = true,
        ["role"] = new[] { "admin", "reader" },
    };

    [Fact]
    public void Protocol_claims_are_removed()
    {
        var identity = IdentityFrom(FullIdToken());

        foreach (var type in ProtocolClaims)
        {
            Assert.DoesNotContain(identity.Claims, c => c.Type == type);
        }
    }

    [Fact]
    public void Claims_about_the_user_and_the_session_are_kept()
    {
        var identity = IdentityFrom(FullIdToken());

        Assert.Equal("alice", identity.FindFirst("sub")?.Value);
        Assert.Equal("Alice Liddell", identity.FindFirst("name")?.Value);
        Assert.Equal("alice@example.test", identity.FindFirst("email")?.Value);
        Assert.Equal("provider-session-1", identity.FindFirst("sid")?.Value);
        Assert.Equal("1899998000", identity.FindFirst("auth_time")?.Value);
        Assert.Equal("true", identity.FindFirst("email_verified")?.Value);
        Assert.Equal(["sub", "auth_time", "sid", "name", "email", "email_verified", "role", "role"], identity.Claims.Select(c => c.Type));
    }

    [Fact]
    public void Name_and_roles_use_the_oidc_claim_types()
    {
        var identity = IdentityFrom(FullIdToken());
        var principal = new ClaimsPrincipal(identity);

        Assert.Equal("Alice Liddell", identity.Name);
        Assert.True(identity.IsAuthenticated);
        Assert.Equal(OidcClaims.AuthenticationType, identity.AuthenticationType);
        Assert.True(principal.IsInRole("admin"));
        Assert.True(principal.IsInRole("reader"));
        Assert.False(principal.IsInRole("alice"));
    }

    [Fact]
    public void Claim_types_are_not_mapped_to_xml_soap_names()
    {
        var identity = IdentityFrom(FullIdToken());

        Assert.DoesNotContain(identity.Claims, c => c.Type.StartsWith("http://", StringComparison.Ordinal));
    }

    [Fact]
    public void Claims_keep_the_token_issuer()
    {
        var identity = IdentityFrom(FullIdToken());

        Assert.All(identity.Claims, c => Assert.Equal("https://idp.example", c.Issuer));
    }

    [Fact]
    public void A_user_claim_whose_name_looks_like_a_protocol_claim_is_kept()
    {
        var payload = FullIdToken();
        payload["issuer_name"] = "Contoso";
        payload["audience_segment"] = "beta";

        var identity = IdentityFrom(payload);

        Assert.Equal("Contoso", identity.FindFirst("issuer_name")?.Value);
        Assert.Equal("beta", identity.FindFirst("audience_segment")?.Value);
    }
}
