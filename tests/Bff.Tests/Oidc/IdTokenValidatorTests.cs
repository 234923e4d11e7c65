using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Oidc;

public sealed class IdTokenValidatorTests
{
    private const string Nonce = "n-0S6_WzA2Mj";
    private readonly InMemoryProvider _provider = InMemoryProvider.WithDefaultKeys();

    // As sign-in checks an id_token: the validator's rules, then the nonce the request sent (none for a refresh).
    private Task<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken> ValidateAsync(string token, string? nonce = Nonce) =>
        ValidateAsync(_provider, token, nonce);

    private static async Task<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken> ValidateAsync(InMemoryProvider provider, string token, string? nonce)
    {
        var validated = await provider.IdTokens.ValidateAsync(token, CancellationToken.None);
        if (nonce is not null)
        {
            IdTokenValidator.CheckNonce(validated, nonce);
        }

        return validated;
    }

    // Any OidcProtocolException: what sign-in and back-channel logout catch (a key not read yet is one too).
    private async Task<string> RejectedAsync(string token, string? nonce = Nonce) =>
        (await Assert.ThrowsAnyAsync<OidcProtocolException>(() => ValidateAsync(token, nonce))).Message;

    private Dictionary<string, object?> Claims(Action<Dictionary<string, object?>>? change = null)
    {
        var claims = _provider.IdTokenClaims(Nonce);
        change?.Invoke(claims);
        return claims;
    }

    [Fact]
    public async Task Valid_rs256_token_is_accepted()
    {
        var token = await ValidateAsync(_provider.Rsa.Sign(Claims()));

        Assert.Equal("alice", token.Subject);
        Assert.Equal(InMemoryProvider.Issuer, token.Issuer);
        Assert.Equal("rsa-1", token.Kid);
        Assert.Equal(1, _provider.Fetches);
    }

    [Fact]
    public async Task Valid_es256_token_is_accepted()
    {
        var token = await ValidateAsync(_provider.Ec.Sign(Claims()));

        Assert.Equal("alice", token.Subject);
        Assert.Equal(SecurityAlgorithms.EcdsaSha256, token.Alg);
    }

    [Fact]
    public async Task Issuer_with_a_trailing_slash_in_the_document_is_the_same_issuer()
    {
        var provider = InMemoryProvider.WithDefaultKeys();
        provider.DocumentIssuer = InMemoryProvider.Issuer + "/";
        var claims = provider.IdTokenClaims();
        claims["iss"] = InMemoryProvider.Issuer + "/";
        var token = provider.Rsa.Sign(claims);

        var validated = await ValidateAsync(provider, token, "n-0S6_WzA2Mj");

        Assert.Equal(InMemoryProvider.Issuer + "/", validated.Issuer);
    }

    [Fact]
    public async Task Keys_are_fetched_once_for_many_tokens()
    {
        for (var i = 0; i < 5; i++)
        {
            await ValidateAsync(_provider.Rsa.Sign(Claims()));
            _provider.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, _provider.Fetches);
    }

    [Fact]
    public async Task Signature_by_an_unpublished_key_with_a_published_kid_is_rejected()
    {
        var impostor = TestSigningKey.Rsa("rsa-1");

        var message = await RejectedAsync(impostor.Sign(Claims()));

        Assert.Equal("The token's signature is invalid.", message);
    }

    [Fact]
    public async Task Payload_changed_after_signing_is_rejected()
    {
        var parts = _provider.Rsa.Sign(Claims()).Split('.');
        var forged = parts[0] + "." + TestSigningKey.Encode(Claims(c => c["sub"] = "mallory")) + "." + parts[2];

        var message = await RejectedAsync(forged);

        Assert.Equal("The token's signature is invalid.", message);
    }

    [Fact]
    public async Task Truncated_signature_is_rejected()
    {
        var token = _provider.Rsa.Sign(Claims());

        await RejectedAsync(token[..^10]);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task Unsigned_token_alg_none_is_rejected(string alg)
    {
        var token = TestSigningKey.Unsigned(new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT" }, Claims());

        await RejectedAsync(token);
    }

    [Fact]
    public async Task Unsigned_token_is_rejected_even_when_the_provider_advertises_none()
    {
        _provider.AdvertisedAlgorithms = ["none", SecurityAlgorithms.RsaSha256];
        var token = TestSigningKey.Unsigned(new Dictionary<string, object?> { ["alg"] = "none", ["kid"] = "rsa-1" }, Claims());

        await RejectedAsync(token);
    }

    [Fact]
    public async Task Token_signed_with_an_algorithm_the_provider_does_not_advertise_is_rejected()
    {
        var token = _provider.Ec.Sign(Claims());
        _provider.AdvertisedAlgorithms = [SecurityAlgorithms.RsaSha256];

        await RejectedAsync(token);

        // The same token passes once the provider advertises ES256: the advertisement alone decided.
        _provider.AdvertisedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval);
        Assert.Equal("alice", (await ValidateAsync(token)).Subject);
    }

    [Fact]
    public async Task Rsa_key_used_with_an_rsa_algorithm_the_provider_does_not_advertise_is_rejected()
    {
        var token = _provider.Rsa.Sign(Claims(), new Dictionary<string, object?> { ["alg"] = SecurityAlgorithms.RsaSsaPssSha256 });
        _provider.AdvertisedAlgorithms = [SecurityAlgorithms.RsaSha256];

        await RejectedAsync(token);

        _provider.AdvertisedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval);
        Assert.Equal("alice", (await ValidateAsync(token)).Subject);
    }

    [Fact]
    public async Task Without_advertised_algorithms_only_rs256_is_accepted()
    {
        _provider.AdvertisedAlgorithms = [];

        await ValidateAsync(_provider.Rsa.Sign(Claims()));
        await RejectedAsync(_provider.Ec.Sign(Claims()));
    }

    [Fact]
    public async Task Hmac_signed_with_the_public_rsa_key_is_rejected()
    {
        // The classic algorithm-confusion attack: HS256 keyed with the public key the JWKS publishes.
        var header = new Dictionary<string, object?> { ["alg"] = "HS256", ["kid"] = "rsa-1", ["typ"] = "JWT" };
        var signingInput = TestSigningKey.Encode(header) + "." + TestSigningKey.Encode(Claims());
        var mac = HMACSHA256.HashData(_provider.Rsa.PublicKeyBytes, Encoding.ASCII.GetBytes(signingInput));

        await RejectedAsync(signingInput + "." + WebEncoders.Base64UrlEncode(mac));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30")]
    public async Task Malformed_token_is_rejected(string token)
    {
        await RejectedAsync(token);
    }

    [Fact]
    public async Task Token_for_another_client_is_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["aud"] = "other-client")));

        Assert.Equal("The token was issued for another client.", message);
    }

    [Fact]
    public async Task Token_without_audience_is_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c.Remove("aud"))));

        Assert.Equal("The token was issued for another client.", message);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://idp.example.evil")]
    [InlineData("https://IDP.example")]
    [InlineData("http://idp.example")]
    public async Task Token_from_another_issuer_is_rejected(string issuer)
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["iss"] = issuer)));

        Assert.Equal("The token was issued by another issuer.", message);
    }

    [Fact]
    public async Task Expired_token_is_rejected_on_the_injected_clock()
    {
        // The test clock is years ahead of the machine's: only a validator that reads it sees this token as expired.
        var now = _provider.Time.GetUtcNow();
        var token = _provider.Rsa.Sign(Claims(c =>
        {
            c["iat"] = now.AddHours(-1).ToUnixTimeSeconds();
            c["exp"] = now.AddMinutes(-3).ToUnixTimeSeconds();
        }));

        var message = await RejectedAsync(token);

        Assert.Equal("The token has expired.", message);
    }

    [Fact]
    public async Task Token_that_expired_within_the_clock_skew_is_accepted()
    {
        var now = _provider.Time.GetUtcNow();
        var token = _provider.Rsa.Sign(Claims(c =>
        {
            c["iat"] = now.AddHours(-1).ToUnixTimeSeconds();
            c["exp"] = now.AddMinutes(-1).ToUnixTimeSeconds();
        }));

        Assert.Equal("alice", (await ValidateAsync(token)).Subject);
    }

    [Fact]
    public async Task Token_becomes_expired_when_the_clock_moves_past_exp_and_skew()
    {
        var token = _provider.Rsa.Sign(Claims());
        await ValidateAsync(token);

        _provider.Time.Advance(TimeSpan.FromHours(1) + InMemoryProvider.ClockSkew + TimeSpan.FromSeconds(1));

        Assert.Equal("The token has expired.", await RejectedAsync(token));
    }

    [Fact]
    public async Task Token_without_expiry_is_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c.Remove("exp"))));

        Assert.Equal("The token has no expiry.", message);
    }

    [Fact]
    public async Task Token_not_valid_before_a_future_instant_is_rejected()
    {
        var nbf = _provider.Time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds();

        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["nbf"] = nbf)));

        Assert.Equal("The token is not valid yet.", message);
    }

    [Fact]
    public async Task Token_issued_in_the_future_is_rejected()
    {
        var iat = _provider.Time.GetUtcNow().Add(InMemoryProvider.ClockSkew).AddSeconds(30).ToUnixTimeSeconds();

        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["iat"] = iat)));

        Assert.Equal("The id_token was issued in the future (iat).", message);
    }

    [Fact]
    public async Task Token_issued_slightly_ahead_within_the_clock_skew_is_accepted()
    {
        var iat = _provider.Time.GetUtcNow().AddSeconds(90).ToUnixTimeSeconds();

        Assert.Equal("alice", (await ValidateAsync(_provider.Rsa.Sign(Claims(c => c["iat"] = iat)))).Subject);
    }

    [Fact]
    public async Task Token_without_iat_is_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c.Remove("iat"))));

        Assert.Equal("The id_token has no issue time (iat).", message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Token_without_subject_is_rejected(string? sub)
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c =>
        {
            if (sub is null)
            {
                c.Remove("sub");
            }
            else
            {
                c["sub"] = sub;
            }
        })));

        Assert.Equal("The id_token has no subject (sub).", message);
    }

    [Theory]
    [InlineData("another-nonce")]
    [InlineData("N-0S6_WZA2MJ")]
    [InlineData("")]
    public async Task Nonce_mismatch_is_rejected(string nonce)
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["nonce"] = nonce)));

        Assert.Equal("The id_token's nonce does not match the sign-in request.", message);
    }

    [Fact]
    public async Task Missing_nonce_is_rejected_when_one_was_sent()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c.Remove("nonce"))));

        Assert.Equal("The id_token's nonce does not match the sign-in request.", message);
    }

    [Fact]
    public async Task Nonce_is_not_required_when_none_was_sent()
    {
        // A refreshed id_token carries no nonce, and none is expected for it.
        var token = _provider.Rsa.Sign(Claims(c => c.Remove("nonce")));

        Assert.Equal("alice", (await ValidateAsync(token, nonce: null)).Subject);
    }

    [Fact]
    public async Task Several_audiences_without_azp_are_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["aud"] = new[] { InMemoryProvider.ClientId, "api" })));

        Assert.Equal("The id_token's authorized party (azp) is not this client.", message);
    }

    [Fact]
    public async Task Several_audiences_with_another_azp_are_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c =>
        {
            c["aud"] = new[] { InMemoryProvider.ClientId, "api" };
            c["azp"] = "api";
        })));

        Assert.Equal("The id_token's authorized party (azp) is not this client.", message);
    }

    [Fact]
    public async Task Several_audiences_with_azp_of_this_client_are_accepted()
    {
        var token = await ValidateAsync(_provider.Rsa.Sign(Claims(c =>
        {
            c["aud"] = new[] { "api", InMemoryProvider.ClientId };
            c["azp"] = InMemoryProvider.ClientId;
        })));

        Assert.Equal(["api", InMemoryProvider.ClientId], token.Audiences);
    }

    [Fact]
    public async Task Single_audience_with_another_azp_is_rejected()
    {
        var message = await RejectedAsync(_provider.Rsa.Sign(Claims(c => c["azp"] = "someone-else")));

        Assert.Equal("The id_token's authorized party (azp) is not this client.", message);
    }

    [Fact]
    public async Task Rotated_key_is_picked_up_with_one_refresh()
    {
        await ValidateAsync(_provider.Rsa.Sign(Claims()));
        Assert.Equal(1, _provider.Fetches);

        var rotated = TestSigningKey.Rsa("rsa-2");
        _provider.PublishedKeys = [rotated];
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval + TimeSpan.FromSeconds(1));

        var token = await ValidateAsync(rotated.Sign(Claims()));

        Assert.Equal("rsa-2", token.Kid);
        Assert.Equal(2, _provider.Fetches);

        // The new document is used from now on: no further fetch for the same key.
        await ValidateAsync(rotated.Sign(Claims()));
        Assert.Equal(2, _provider.Fetches);

        // And the key that was rotated out is no longer trusted.
        Assert.Equal("The token is signed with a key the provider does not publish.", await RejectedAsync(_provider.Rsa.Sign(Claims())));
    }

    [Fact]
    public async Task Still_unknown_kid_fails_after_exactly_one_refresh()
    {
        await ValidateAsync(_provider.Rsa.Sign(Claims()));
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval + TimeSpan.FromSeconds(1));
        var stranger = TestSigningKey.Rsa("unknown-kid");

        var message = await RejectedAsync(stranger.Sign(Claims()));

        Assert.Equal("The token is signed with a key the provider does not publish.", message);
        Assert.Equal(2, _provider.Fetches);
    }

    [Fact]
    public async Task An_unknown_kid_is_unavailable_while_the_keys_cannot_be_read_again_and_refused_once_they_are()
    {
        await ValidateAsync(_provider.Rsa.Sign(Claims()));
        var rotated = TestSigningKey.Rsa("rsa-2");

        // Within the re-read floor the keys are not read again: the provider may have just rotated the key in.
        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => ValidateAsync(rotated.Sign(Claims())));
        Assert.Equal(1, _provider.Fetches);

        // Past the floor, but the provider fails: the same.
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        _provider.FetchFailure = new HttpRequestException("connection refused");
        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => ValidateAsync(rotated.Sign(Claims())));

        // The provider is back; a failed read is not retried within the floor either. Read again after it, and the
        // provider does not publish the key: a plain protocol error.
        _provider.FetchFailure = null;
        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => ValidateAsync(rotated.Sign(Claims())));
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        var refused = await Assert.ThrowsAsync<OidcProtocolException>(() => ValidateAsync(rotated.Sign(Claims())));
        Assert.Equal("The token is signed with a key the provider does not publish.", refused.Message);
        Assert.Equal(3, _provider.Fetches);
    }

    [Fact]
    public async Task Unknown_kids_cannot_make_the_bff_hammer_the_provider()
    {
        await ValidateAsync(_provider.Rsa.Sign(Claims()));
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval + TimeSpan.FromSeconds(1));

        for (var i = 0; i < 10; i++)
        {
            await RejectedAsync(TestSigningKey.Rsa("forged-" + i).Sign(Claims()));
        }

        // One refresh for the first unknown kid; the rest fall within the minimum refresh interval.
        Assert.Equal(2, _provider.Fetches);
    }

    [Fact]
    public async Task Token_without_kid_is_accepted_when_a_published_key_verifies_it()
    {
        // OpenID Connect Core 10.1: kid is only required when the JWKS holds several keys.
        var provider = new InMemoryProvider();
        provider.PublishedKeys = [provider.Rsa];
        var noKid = new Dictionary<string, object?> { ["kid"] = null };

        var token = await ValidateAsync(provider, provider.Rsa.Sign(provider.IdTokenClaims(), noKid), Nonce);

        Assert.Equal("alice", token.Subject);
    }

    [Fact]
    public async Task Token_without_kid_signed_by_an_unpublished_key_is_rejected()
    {
        var token = TestSigningKey.Rsa("unpublished").Sign(Claims(), new Dictionary<string, object?> { ["kid"] = null });

        await RejectedAsync(token);
    }
}
