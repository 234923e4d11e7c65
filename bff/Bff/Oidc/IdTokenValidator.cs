using Microsoft.IdentityModel.JsonWebTokens;

namespace Bff.Oidc;

/// <summary>
/// OpenID Connect Core §3.1.3.7: on top of the signature, issuer, audience and expiry checks, the id_token
/// must carry <c>sub</c> and <c>iat</c> (not in the future), and <c>azp</c> = our client when present or when
/// there are several audiences. The nonce is the sign-in's to check (<see cref="CheckNonce"/>): a refreshed
/// id_token carries none.
/// </summary>
internal sealed class IdTokenValidator(ProviderTokenValidator tokens)
{
    public async Task<JsonWebToken> ValidateAsync(string idToken, CancellationToken cancellationToken)
    {
        var token = await tokens.ValidateAsync(idToken, requireExpiration: true, cancellationToken);

        if (string.IsNullOrEmpty(token.Subject))
        {
            throw new OidcProtocolException("The id_token has no subject (sub).");
        }

        tokens.IssuedAt(token, "id_token");

        var audiences = token.Audiences.ToList();
        token.TryGetPayloadValue<string>("azp", out var azp);
        if ((audiences.Count > 1 || azp is not null) && !string.Equals(azp, tokens.ClientId, StringComparison.Ordinal))
        {
            throw new OidcProtocolException("The id_token's authorized party (azp) is not this client.");
        }

        return token;
    }

    /// <summary>The id_token must carry the nonce the sign-in request sent.</summary>
    public static void CheckNonce(JsonWebToken token, string expectedNonce)
    {
        token.TryGetPayloadValue<string>("nonce", out var nonce);
        if (!string.Equals(nonce, expectedNonce, StringComparison.Ordinal))
        {
            throw new OidcProtocolException("The id_token's nonce does not match the sign-in request.");
        }
    }
}
