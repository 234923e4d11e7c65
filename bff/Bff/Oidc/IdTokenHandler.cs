using Microsoft.IdentityModel.Tokens;

namespace Bff.Oidc;

/// <summary>
/// The sign-in handler's <c>TokenHandler</c>: validates the id_token with the BFF's own rules
/// (<see cref="IdTokenValidator"/>) instead of the parameters the handler passes. The handler would accept an
/// unsigned id_token from the token endpoint (it turns <c>RequireSignedTokens</c> off for the code flow), trusts
/// any algorithm its key supports, reads the machine clock, fails the sign-in that meets a rotated key and lets
/// several audiences pass without <c>azp</c>; here the signature is always required, only algorithms the
/// provider advertises count, the clock is the injected <see cref="TimeProvider"/>, an unknown <c>kid</c>
/// re-reads the keys once and tries again, and <c>sub</c>, <c>iat</c> and <c>azp</c> are checked too. The
/// nonce is checked against the sign-in request in <see cref="BffOpenIdConnectEvents"/>.
/// </summary>
internal sealed class IdTokenHandler(IdTokenValidator idTokens) : TokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        try
        {
            var validated = await idTokens.ValidateAsync(token, CancellationToken.None);
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = validated,
                ClaimsIdentity = OidcClaims.CreateIdentity(validated),
            };
        }
        catch (OidcProtocolException ex)
        {
            return new TokenValidationResult { IsValid = false, Exception = ex };
        }
    }
}
