using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Oidc;

/// <summary>
/// Validates a JWT the provider signed (id_token, logout_token): signature with a key from the provider's
/// JWKS using only algorithms the provider advertises (never <c>none</c>), issuer, audience = our client id,
/// lifetime on our <see cref="TimeProvider"/>. An unknown <c>kid</c> re-reads the JWKS once, so key rotation works;
/// when it cannot be re-read yet, the failure is a <see cref="SigningKeyUnavailableException"/>.
/// </summary>
internal sealed class ProviderTokenValidator(ProviderMetadata metadata, string clientId, TimeSpan clockSkew, TimeProvider time)
{
    private static readonly string[] DefaultAlgorithms = [SecurityAlgorithms.RsaSha256];
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public TimeProvider Time => time;

    public TimeSpan ClockSkew => clockSkew;

    public string ClientId => clientId;

    /// <param name="token">The compact JWT.</param>
    /// <param name="requireExpiration">Whether <c>exp</c> must be present.</param>
    /// <param name="cancellationToken">Cancels key retrieval.</param>
    public async Task<JsonWebToken> ValidateAsync(string token, bool requireExpiration, CancellationToken cancellationToken)
    {
        var configuration = await metadata.GetAsync(cancellationToken);
        var result = await _handler.ValidateTokenAsync(token, Parameters(configuration, requireExpiration));

        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            var refreshed = await metadata.RefreshAsync(cancellationToken);
            if (ReferenceEquals(refreshed, configuration))
            {
                // The keys were not read again (within the re-read floor, or the provider failed): the key may be one
                // the provider has just rotated in, so this is not proof that it never published it.
                throw new SigningKeyUnavailableException(Describe(result.Exception));
            }

            result = await _handler.ValidateTokenAsync(token, Parameters(refreshed, requireExpiration));
        }

        if (!result.IsValid)
        {
            throw new OidcProtocolException(Describe(result.Exception));
        }

        return (JsonWebToken)result.SecurityToken;
    }

    /// <summary>The token's issue time (<c>iat</c>), which must be there and not in the future.</summary>
    /// <param name="token">A validated token.</param>
    /// <param name="kind">What the token is, for the error message ("id_token", "logout token").</param>
    public DateTimeOffset IssuedAt(JsonWebToken token, string kind)
    {
        if (!token.TryGetPayloadValue<long>("iat", out var iat))
        {
            throw new OidcProtocolException($"The {kind} has no issue time (iat).");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(iat);
        return issuedAt <= time.GetUtcNow() + clockSkew
            ? issuedAt
            : throw new OidcProtocolException($"The {kind} was issued in the future (iat).");
    }

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration, bool requireExpiration)
    {
        var advertised = configuration.IdTokenSigningAlgValuesSupported
            .Where(a => !string.Equals(a, "none", StringComparison.OrdinalIgnoreCase))
            .ToArray();

        return new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = clientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = advertised.Length > 0 ? advertised : DefaultAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = requireExpiration,
            ValidateLifetime = true,
            ClockSkew = clockSkew,
            LifetimeValidator = ValidateLifetime,
            // A token without kid is checked against every published key (OpenID Connect Core 10.1 lets a
            // provider with one key leave kid out); a kid that matches no key still fails as key-not-found.
            TryAllIssuerSigningKeys = true,
        };
    }

    // The default lifetime check reads the machine clock; ours reads the injected TimeProvider.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf && nbf > now + clockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet (nbf).");
        }

        if (expires is { } exp && exp < now - clockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired (exp).");
        }

        if (expires is null && parameters.RequireExpirationTime)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry (exp).");
        }

        return true;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm the provider does not advertise.",
        SecurityTokenSignatureKeyNotFoundException => "The token is signed with a key the provider does not publish.",
        SecurityTokenInvalidSignatureException => "The token's signature is invalid.",
        SecurityTokenInvalidIssuerException => "The token was issued by another issuer.",
        SecurityTokenInvalidAudienceException => "The token was issued for another client.",
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenNoExpirationException => "The token has no expiry.",
        SecurityTokenInvalidTypeException => "The token has the wrong type.",
        SecurityTokenMalformedException or ArgumentException => "The token is malformed.",
        _ => "The token is invalid.",
    };
}
