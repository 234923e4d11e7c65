using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Oidc;

/// <summary>Back-Channel Logout 1.0 §2.6 checks, with tokens signed by the test's own provider keys.</summary>
public sealed class LogoutTokenValidatorTests
{
    private const string Issuer = "https://login.example.test";
    private const string ClientId = "bff";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly RsaSecurityKey ProviderKey = new(RSA.Create(2048)) { KeyId = "provider-key" };
    private static readonly RSA ForgerRsa = RSA.Create(2048);
    private readonly RsaSecurityKey _providerKey = ProviderKey;
    private readonly LogoutTokenValidator _validator;

    public LogoutTokenValidatorTests()
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(_providerKey);
        configuration.IdTokenSigningAlgValuesSupported.Add(SecurityAlgorithms.RsaSha256);
        var metadata = new ProviderMetadata(Issuer, new NoDocuments(), _time, new FixedConfiguration(configuration));
        var tokens = new ProviderTokenValidator(metadata, ClientId, TimeSpan.FromMinutes(2), _time);
        _validator = new LogoutTokenValidator(tokens, new InMemoryReplayCache(_time));
    }

    private Dictionary<string, object> Claims() => new()
    {
        ["iss"] = Issuer,
        ["aud"] = ClientId,
        ["iat"] = _time.GetUtcNow().ToUnixTimeSeconds(),
        ["exp"] = _time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
        ["sub"] = "alice",
        ["sid"] = "sid-1",
        ["events"] = new Dictionary<string, object> { [LogoutTokenValidator.BackChannelLogoutEvent] = new Dictionary<string, object>() },
    };

    private string Sign(IDictionary<string, object> claims, SecurityKey? key = null, string? typ = "logout+jwt")
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? _providerKey, SecurityAlgorithms.RsaSha256),
        };
        if (typ is not null)
        {
            descriptor.TokenType = typ;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>The handler always writes a <c>typ</c>; this writes a header with <c>alg</c> and <c>kid</c> only.</summary>
    private static string SignWithoutTyp(IDictionary<string, object> claims)
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"RS256","kid":"provider-key"}""");
        var payload = Base64UrlEncoder.Encode(System.Text.Json.JsonSerializer.Serialize(claims));
        var signature = ProviderKey.Rsa.SignData(
            System.Text.Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + Base64UrlEncoder.Encode(signature);
    }

    // Any OidcProtocolException, as the back-channel endpoint catches (a key not read yet is one too).
    private Task<string> RejectionAsync(string token) =>
        Assert.ThrowsAnyAsync<OidcProtocolException>(() => _validator.ValidateAsync(token, default)).ContinueWith(t => t.Result.Message);

    [Fact]
    public async Task A_valid_token_names_the_user_and_the_provider_session()
    {
        var token = await _validator.ValidateAsync(Sign(Claims()), default);

        Assert.Equal("alice", token.Subject);
        Assert.Equal("sid-1", token.ProviderSessionId);
    }

    [Fact]
    public async Task Sid_alone_sub_alone_no_typ_and_no_exp_are_fine()
    {
        var sidOnly = Claims();
        sidOnly.Remove("sub");
        sidOnly.Remove("exp");
        Assert.Equal((null, "sid-1"), ToTuple(await _validator.ValidateAsync(SignWithoutTyp(sidOnly), default)));

        var subOnly = Claims();
        subOnly.Remove("sid");
        Assert.Equal(("alice", null), ToTuple(await _validator.ValidateAsync(Sign(subOnly), default)));
    }

    private static (string?, string?) ToTuple(LogoutToken token) => (token.Subject, token.ProviderSessionId);

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var forger = new RsaSecurityKey(ForgerRsa) { KeyId = "provider-key" };
        Assert.Contains("signature", await RejectionAsync(Sign(Claims(), forger)));

        var unknown = new RsaSecurityKey(ForgerRsa) { KeyId = "other-key" };
        Assert.Contains("key", await RejectionAsync(Sign(Claims(), unknown)));
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Claims = Claims(), TokenType = "logout+jwt" });
        Assert.EndsWith(".", unsigned);
        await RejectionAsync(unsigned);
    }

    [Theory]
    [InlineData("aud", "another-client", "another client")]
    [InlineData("iss", "https://evil.example", "another issuer")]
    public async Task A_token_for_another_client_or_from_another_issuer_is_refused(string claim, string value, string expected)
    {
        var claims = Claims();
        claims[claim] = value;
        Assert.Contains(expected, await RejectionAsync(Sign(claims)));
    }

    [Fact]
    public async Task A_token_without_the_logout_event_is_refused()
    {
        var missing = Claims();
        missing.Remove("events");
        Assert.Contains("events", await RejectionAsync(Sign(missing)));

        var other = Claims();
        other["events"] = new Dictionary<string, object> { ["http://schemas.openid.net/event/other"] = new Dictionary<string, object>() };
        Assert.Contains("events", await RejectionAsync(Sign(other)));
    }

    [Fact]
    public async Task A_token_with_a_nonce_is_refused()
    {
        var claims = Claims();
        claims["nonce"] = "n-0S6_WzA2Mj";
        Assert.Contains("nonce", await RejectionAsync(Sign(claims)));
    }

    [Fact]
    public async Task A_token_without_sub_and_sid_is_refused()
    {
        var claims = Claims();
        claims.Remove("sub");
        claims.Remove("sid");
        Assert.Contains("neither", await RejectionAsync(Sign(claims)));
    }

    [Fact]
    public async Task A_token_without_jti_is_refused()
    {
        var claims = Claims();
        claims.Remove("jti");
        Assert.Contains("jti", await RejectionAsync(Sign(claims)));
    }

    [Fact]
    public async Task A_replayed_token_is_refused()
    {
        var token = Sign(Claims());
        await _validator.ValidateAsync(token, default);

        Assert.Contains("already used", await RejectionAsync(token));
    }

    [Theory]
    [InlineData("logout+jwt")]
    [InlineData("application/logout+jwt")]
    [InlineData("JWT")] // Keycloak before 25 and other providers
    [InlineData("jwt")]
    [InlineData(null)]
    public async Task Logout_tokens_typed_logout_jwt_jwt_or_untyped_are_accepted(string? typ)
    {
        var token = await _validator.ValidateAsync(typ is null ? SignWithoutTyp(Claims()) : Sign(Claims(), typ: typ), CancellationToken.None);

        Assert.Equal("alice", token.Subject);
    }

    [Theory]
    [InlineData("at+jwt")]
    [InlineData("application/at+jwt")]
    [InlineData("id_token+jwt")]
    [InlineData("secevent+jwt")]
    public async Task Other_explicit_types_are_refused(string typ) =>
        Assert.Contains("type", await RejectionAsync(Sign(Claims(), typ: typ)));

    [Theory]
    [InlineData("JWT")]
    [InlineData(null)]
    public async Task The_strict_switch_refuses_jwt_and_untyped_tokens(string? typ)
    {
        var strict = StrictValidator();

        var token = typ is null ? SignWithoutTyp(Claims()) : Sign(Claims(), typ: typ);
        var error = await Assert.ThrowsAsync<OidcProtocolException>(() => strict.ValidateAsync(token, CancellationToken.None));

        Assert.Contains("type", error.Message);
        Assert.Equal("alice", (await strict.ValidateAsync(Sign(Claims()), CancellationToken.None)).Subject);
    }

    [Fact]
    public async Task An_id_token_typed_jwt_is_still_refused_without_the_logout_event()
    {
        var idToken = Claims();
        idToken.Remove("events");
        idToken["nonce"] = "n-1";

        Assert.Contains("events", await RejectionAsync(Sign(idToken, typ: "JWT")));
    }

    private LogoutTokenValidator StrictValidator()
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(_providerKey);
        configuration.IdTokenSigningAlgValuesSupported.Add(SecurityAlgorithms.RsaSha256);
        var metadata = new ProviderMetadata(Issuer, new NoDocuments(), _time, new FixedConfiguration(configuration));
        return new LogoutTokenValidator(
            new ProviderTokenValidator(metadata, ClientId, TimeSpan.FromMinutes(2), _time), new InMemoryReplayCache(_time), requireLogoutJwtType: true);
    }

    [Fact]
    public async Task Issue_time_must_be_present_recent_and_not_in_the_future()
    {
        var missing = Claims();
        missing.Remove("iat");
        Assert.Contains("iat", await RejectionAsync(Sign(missing)));

        var old = Claims();
        old["iat"] = _time.GetUtcNow().AddMinutes(-10).ToUnixTimeSeconds();
        old.Remove("exp");
        Assert.Contains("too old", await RejectionAsync(Sign(old)));

        var future = Claims();
        future["iat"] = _time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds();
        Assert.Contains("future", await RejectionAsync(Sign(future)));
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var claims = Claims();
        claims["iat"] = _time.GetUtcNow().AddMinutes(-4).ToUnixTimeSeconds();
        claims["exp"] = _time.GetUtcNow().AddMinutes(-3).ToUnixTimeSeconds();
        Assert.Contains("expired", await RejectionAsync(Sign(claims)));
    }

    private sealed class FixedConfiguration(OpenIdConnectConfiguration configuration) : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel) =>
            Task.FromResult(configuration);
    }

    private sealed class NoDocuments : IDocumentRetriever
    {
        public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
            throw new InvalidOperationException("No documents in this test.");
    }
}
