using Bff.Tests.Oidc;
using Bff.Tests.Sessions;
using Microsoft.Extensions.Time.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using System.Security.Claims;

namespace Bff.Tests.Tokens;

/// <summary>
/// The token services as AddBff wires them (<see cref="SessionHarness"/>: fake clock, in-memory stores), with a
/// scripted discovery document and a scripted token endpoint (a stand-in HTTP handler): for unit tests of refresh
/// and caching rules without a provider.
/// </summary>
internal sealed class TokenTestKit : IDisposable
{
    public const string Authority = "https://op.example";

    /// <summary>The client id the harness configures: the audience of the id_tokens the kit signs.</summary>
    public const string ClientId = "bff";

    private readonly SessionHarness _harness;

    public TokenTestKit(TimeSpan? refreshBeforeExpiry = null)
    {
        _harness = new SessionHarness(
            options =>
            {
                options.Authority = Authority;
                if (refreshBeforeExpiry is { } margin)
                {
                    options.Tokens.RefreshBeforeExpiry = margin;
                }
            },
            services =>
            {
                services.AddSingleton(sp => new ProviderMetadata(Authority, new HttpDocumentRetriever(), sp.GetRequiredService<TimeProvider>(), Discovery));
                // After AddBff's own primary handler, whatever the order of registration.
                services.PostConfigure<HttpClientFactoryOptions>(OidcServices.TokenEndpointHttpClient,
                    o => o.HttpMessageHandlerBuilderActions.Add(b => b.PrimaryHandler = Endpoint));
            });
    }

    public FakeTimeProvider Time => _harness.Time;

    public ScriptedTokenEndpoint Endpoint { get; } = new();

    public ScriptedDiscovery Discovery { get; } = new();

    public InMemorySessionStore Store => (InMemorySessionStore)_harness.Store;

    public SessionTicketProtector Tickets => _harness.Get<SessionTicketProtector>();

    public TokenRefreshPolicy Policy => _harness.Get<TokenRefreshPolicy>();

    public IDistributedLock Locks => _harness.Get<IDistributedLock>();

    public RefreshSingleFlight Flights => _harness.Get<RefreshSingleFlight>();

    public UserAccessTokenService UserTokens => _harness.Get<UserAccessTokenService>();

    public ClientAccessTokenCache ClientTokens => _harness.Get<ClientAccessTokenCache>();

    public RefreshTokenRevoker Revoker => _harness.Get<RefreshTokenRevoker>();

    public void Dispose() => _harness.Dispose();

    /// <summary>Stores a session whose access token was issued now and lives <paramref name="lifetime"/>.</summary>
    public async Task<SessionRecord> SignInAsync(TimeSpan lifetime, string accessToken = "at-0", string refreshToken = "rt-0")
    {
        var now = Time.GetUtcNow();
        var properties = new AuthenticationProperties();
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = SessionTokens.AccessTokenName, Value = accessToken },
            new AuthenticationToken { Name = SessionTokens.RefreshTokenName, Value = refreshToken },
            new AuthenticationToken { Name = SessionTokens.IssuedAtName, Value = SessionTokens.FormatTime(now) },
            new AuthenticationToken { Name = SessionTokens.ExpiresAtName, Value = SessionTokens.FormatTime(now + lifetime) },
        ]);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "alice")], "test")), properties, "test");
        var id = SessionKeys.StorageIdFor(SessionKeys.NewKey());
        var session = new SessionRecord
        {
            Id = id,
            PublicId = SessionKeys.NewPublicId(),
            Subject = "alice",
            CreatedAt = now,
            LastActivityAt = now,
            AbsoluteExpiresAt = now.AddHours(8),
            ExpiresAt = now.AddHours(1),
            Ticket = Tickets.Protect(ticket, id),
        };
        await Store.SaveAsync(session, CancellationToken.None);
        return session;
    }

    /// <summary>Stores a session, then lets the clock run until its access token has expired (so it is due).</summary>
    public async Task<SessionRecord> SignInWithDueTokenAsync(TimeSpan lifetime)
    {
        var session = await SignInAsync(lifetime);
        Time.Advance(lifetime);
        return session;
    }

    /// <summary>The tokens stored for a session right now.</summary>
    public async Task<SessionTokens?> StoredTokensAsync(string sessionId)
    {
        var session = await Store.GetAsync(sessionId, CancellationToken.None);
        return session is null ? null : SessionTokens.From(Tickets.Unprotect(session.Ticket, session.Id)!.Properties);
    }

    public async Task<AccessTokenResult> GetUserTokenAsync(string sessionId)
    {
        var session = (await Store.GetAsync(sessionId, CancellationToken.None))!;
        return await UserTokens.GetAsync(session, (await StoredTokensAsync(sessionId))!, CancellationToken.None);
    }

    /// <summary>An id_token as the provider would put in a refresh answer: for alice by this provider unless told, issued now, signed with <paramref name="key"/>.</summary>
    public string IdToken(TestSigningKey key, string subject = "alice", string issuer = Authority)
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        return key.Sign(new Dictionary<string, object?>
        {
            ["iss"] = issuer,
            ["sub"] = subject,
            ["aud"] = ClientId,
            ["iat"] = now,
            ["exp"] = now + 3600,
        });
    }
}

/// <summary>The provider's discovery document as the kit's metadata reads it; change it to script the provider.</summary>
internal sealed class ScriptedDiscovery : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    private int _fetches;

    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>The <c>issuer</c> the document names.</summary>
    public string Issuer { get; set; } = TokenTestKit.Authority;

    /// <summary>The keys the JWKS lists; change it to rotate.</summary>
    public List<TestSigningKey> Keys { get; set; } = [];

    /// <summary>When set, reading the document fails with it (the provider is unreachable).</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, every read waits for it before answering (a slow provider).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completes when a read arrives while <see cref="Gate"/> is set.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        Interlocked.Increment(ref _fetches);
        if (Gate is { } gate)
        {
            Held.TrySetResult();
            await gate.Task.WaitAsync(cancel);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        var configuration = new OpenIdConnectConfiguration
        {
            Issuer = Issuer,
            TokenEndpoint = TokenTestKit.Authority + "/token",
            RevocationEndpoint = TokenTestKit.Authority + ScriptedTokenEndpoint.RevocationPath,
        };
        foreach (var key in Keys)
        {
            configuration.SigningKeys.Add(key.PublicKey);
        }

        return configuration;
    }
}

/// <summary>
/// A token endpoint that answers what the test scripts, counts the calls and can be held back; and a revocation
/// endpoint that accepts every token and notes it.
/// </summary>
internal sealed class ScriptedTokenEndpoint : HttpMessageHandler
{
    public const string RevocationPath = "/revoke";

    private int _calls;

    /// <summary>Calls to the token endpoint (revocations not counted).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The refresh tokens spent at the token endpoint, in order.</summary>
    public ConcurrentQueue<string> SpentRefreshTokens { get; } = new();

    /// <summary>The tokens posted to the revocation endpoint, in order.</summary>
    public ConcurrentQueue<string> Revoked { get; } = new();

    /// <summary>The next answers: status and JSON body. When empty, a fresh access token is issued.</summary>
    public Queue<(HttpStatusCode Status, string Body)> Answers { get; } = new();

    /// <summary>When set, every request waits for it before answering (a slow provider).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, every revocation waits for it before answering.</summary>
    public TaskCompletionSource? RevocationGate { get; set; }

    /// <summary>Completes when a request arrives.</summary>
    public TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int ExpiresIn { get; set; } = 60;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = QueryHelpers.ParseQuery(await request.Content!.ReadAsStringAsync(cancellationToken));
        if (request.RequestUri!.AbsolutePath == RevocationPath)
        {
            if (RevocationGate is { } revocationGate)
            {
                await revocationGate.Task.WaitAsync(cancellationToken);
            }

            Revoked.Enqueue(form["token"].ToString());
            return new HttpResponseMessage(HttpStatusCode.OK);
        }

        if (form.TryGetValue("refresh_token", out var spent))
        {
            SpentRefreshTokens.Enqueue(spent.ToString());
        }

        var call = Interlocked.Increment(ref _calls);
        Arrived.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        var (status, body) = Answers.TryDequeue(out var answer)
            ? answer
            : (HttpStatusCode.OK, $$"""{"access_token":"at-{{call}}","refresh_token":"rt-{{call}}","token_type":"Bearer","expires_in":{{ExpiresIn}}}""");
        return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    public void ResetArrival() => Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
