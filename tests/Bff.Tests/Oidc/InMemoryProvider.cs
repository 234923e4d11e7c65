using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using IdTokenValidator = Bff.Oidc.IdTokenValidator;

namespace Bff.Tests.Oidc;

/// <summary>
/// An OpenID Provider as the validators see it, with no network: a discovery document built in memory
/// from the keys it currently publishes, handed out through a counting <see cref="IConfigurationRetriever{T}"/>,
/// and id_tokens signed with those keys on a <see cref="FakeTimeProvider"/> clock.
/// </summary>
internal sealed class InMemoryProvider : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public const string Issuer = "https://idp.example";
    public const string ClientId = "bff";
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private int _fetches;

    public InMemoryProvider()
    {
        Metadata = new ProviderMetadata(Issuer, new NoNetwork(), Time, this);
        Tokens = new ProviderTokenValidator(Metadata, ClientId, ClockSkew, Time);
        IdTokens = new IdTokenValidator(Tokens);
    }

    public FakeTimeProvider Time { get; } = new();

    // Key generation is the slow part of these tests: the provider's own keys are made once.
    private static readonly TestSigningKey SharedRsa = TestSigningKey.Rsa("rsa-1");
    private static readonly TestSigningKey SharedEc = TestSigningKey.Ec("ec-1");

    public TestSigningKey Rsa => SharedRsa;

    public TestSigningKey Ec => SharedEc;

    /// <summary>The keys the JWKS lists right now; change it to rotate.</summary>
    public List<TestSigningKey> PublishedKeys { get; set; } = [];

    /// <summary>The <c>id_token_signing_alg_values_supported</c> of the discovery document.</summary>
    public List<string> AdvertisedAlgorithms { get; set; } = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>The <c>issuer</c> the discovery document names.</summary>
    public string DocumentIssuer { get; set; } = Issuer;

    /// <summary>Changes each document before it is answered.</summary>
    public Action<OpenIdConnectConfiguration>? Adjust { get; set; }

    /// <summary>When set, the next fetches fail with this exception.</summary>
    public Exception? FetchFailure { get; set; }

    /// <summary>When set, a fetch waits for this task before answering.</summary>
    public Task? FetchGate { get; set; }

    public int Fetches => Volatile.Read(ref _fetches);

    public string? LastAddress { get; private set; }

    public ProviderMetadata Metadata { get; }

    public ProviderTokenValidator Tokens { get; }

    public IdTokenValidator IdTokens { get; }

    public static InMemoryProvider WithDefaultKeys()
    {
        var provider = new InMemoryProvider();
        provider.PublishedKeys = [provider.Rsa, provider.Ec];
        return provider;
    }

    /// <summary>The claims of a valid id_token for alice, issued now, for this client, with the given nonce.</summary>
    public Dictionary<string, object?> IdTokenClaims(string? nonce = "n-0S6_WzA2Mj")
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["sub"] = "alice",
            ["aud"] = ClientId,
            ["exp"] = now + 3600,
            ["iat"] = now,
            ["auth_time"] = now,
            ["name"] = "Alice",
            ["email"] = "alice@example.test",
            ["sid"] = "provider-session-1",
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return claims;
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        Interlocked.Increment(ref _fetches);
        LastAddress = address;
        if (FetchGate is { } gate)
        {
            try
            {
                await gate.WaitAsync(cancel);
            }
            catch (OperationCanceledException ex)
            {
                // As the framework's document retriever does: any failure of the read, a cancelled one included, is an IOException.
                throw new IOException("IDX20804: Unable to retrieve document.", ex);
            }
        }

        if (FetchFailure is { } failure)
        {
            throw failure;
        }

        var configuration = new OpenIdConnectConfiguration
        {
            Issuer = DocumentIssuer,
            AuthorizationEndpoint = Issuer + "/auth",
            TokenEndpoint = Issuer + "/token",
            EndSessionEndpoint = Issuer + "/session/end",
            JwksUri = Issuer + "/jwks",
        };
        foreach (var algorithm in AdvertisedAlgorithms)
        {
            configuration.IdTokenSigningAlgValuesSupported.Add(algorithm);
        }

        foreach (var key in PublishedKeys)
        {
            configuration.SigningKeys.Add(key.PublicKey);
        }

        Adjust?.Invoke(configuration);
        return configuration;
    }

    // The metadata never reads a document itself: the retriever above answers from memory.
    private sealed class NoNetwork : IDocumentRetriever
    {
        public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
            throw new InvalidOperationException("No network in unit tests: " + address);
    }
}
