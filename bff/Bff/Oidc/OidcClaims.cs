using Microsoft.IdentityModel.JsonWebTokens;

namespace Bff.Oidc;

/// <summary>Turns a validated id_token into the user's claims: everything about the user, nothing about the protocol.</summary>
internal static class OidcClaims
{
    public const string NameType = "name";
    public const string RoleType = "role";
    public const string AuthenticationType = "bff";

    // Claims that describe the token rather than the user, and that the SPA has no use for.
    private static readonly HashSet<string> ProtocolClaims =
        ["iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "s_hash", "jti"];

    public static ClaimsIdentity CreateIdentity(JsonWebToken idToken)
    {
        var identity = new ClaimsIdentity(AuthenticationType, NameType, RoleType);
        foreach (var claim in idToken.Claims)
        {
            if (!ProtocolClaims.Contains(claim.Type))
            {
                identity.AddClaim(new Claim(claim.Type, claim.Value, claim.ValueType, claim.Issuer));
            }
        }

        return identity;
    }
}
