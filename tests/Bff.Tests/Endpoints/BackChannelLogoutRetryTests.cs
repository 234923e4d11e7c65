using System.Net;
using Bff.Tests.Oidc;
using Bff.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bff.Tests.Endpoints;

/// <summary>
/// A back-channel logout that could not be carried out (the session store or the provider's metadata unavailable:
/// 503) is carried out when the provider retries the same logout token, instead of being refused as a replay while
/// the sessions live on.
/// </summary>
public sealed class BackChannelLogoutRetryTests
{
    private readonly InMemoryProvider _provider = InMemoryProvider.WithDefaultKeys();

    [Fact]
    public async Task A_logout_that_failed_on_the_store_is_carried_out_when_the_provider_retries_the_same_token()
    {
        await using var bff = await InProcessBff.StartAsync(
            new Dictionary<string, string?> { ["Bff:Authority"] = InMemoryProvider.Issuer },
            services =>
            {
                // The provider's keys from memory; the sessions in a store that can be taken down.
                services.Replace(ServiceDescriptor.Singleton(sp =>
                    new ProviderMetadata(InMemoryProvider.Issuer, null!, sp.GetRequiredService<TimeProvider>(), _provider)));
                services.Replace(ServiceDescriptor.Singleton<ISessionStore>(sp => new OutageStore(
                    new InMemorySessionStore(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SessionExpiryQueue>()))));
            });
        var store = (OutageStore)bff.Services.GetRequiredService<ISessionStore>();
        var cookie = await bff.SignInAsync("alice");
        var token = LogoutToken(bff.Time, "alice", "sid-alice");

        store.Down = true;
        using (var failed = await PostAsync(bff, token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        store.Down = false;
        Assert.Single(await store.GetBySubjectAsync("alice", default));
        using (var retried = await PostAsync(bff, token))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        Assert.Empty(await store.GetBySubjectAsync("alice", default));
        using (var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        }

        // Carried out, the token is one-time again.
        using var replayed = await PostAsync(bff, token);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Contains("already used", await replayed.Content.ReadAsStringAsync());
    }

    // Until this instance has read the provider's discovery document, no logout token can be checked: that is the
    // provider's outage, not a forgery, so the answer says "try again" and the retry is carried out.
    [Fact]
    public async Task A_logout_that_cannot_be_checked_while_the_provider_is_away_is_503_then_carried_out()
    {
        _provider.FetchFailure = new HttpRequestException("The provider is away.");
        await using var bff = await InProcessBff.StartAsync(
            new Dictionary<string, string?> { ["Bff:Authority"] = InMemoryProvider.Issuer },
            services => services.Replace(ServiceDescriptor.Singleton(sp =>
                new ProviderMetadata(InMemoryProvider.Issuer, null!, sp.GetRequiredService<TimeProvider>(), _provider))));
        var cookie = await bff.SignInAsync("alice");
        var token = LogoutToken(bff.Time, "alice", "sid-alice");

        using (var early = await PostAsync(bff, token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.Contains("temporarily_unavailable", await early.Content.ReadAsStringAsync());
        }

        using (var stillSignedIn = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
        }

        // The provider is back, and retries after a while (a failed first read is answered at once for a few seconds).
        _provider.FetchFailure = null;
        bff.Time.Advance(TimeSpan.FromSeconds(5));
        using (var retried = await PostAsync(bff, token))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        using var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    // A provider that rotates its signing key signs the next logout token with the new one at once. Within the
    // re-read floor of the last read the BFF cannot tell that from a forgery, so it asks for a retry (503 with
    // Retry-After) rather than refusing it for good, and the retry after the floor is carried out.
    [Fact]
    public async Task A_logout_token_signed_with_a_key_rotated_in_moments_ago_is_503_then_carried_out()
    {
        await using var bff = await InProcessBff.StartAsync(
            new Dictionary<string, string?> { ["Bff:Authority"] = InMemoryProvider.Issuer },
            services => services.Replace(ServiceDescriptor.Singleton(sp =>
                new ProviderMetadata(InMemoryProvider.Issuer, null!, sp.GetRequiredService<TimeProvider>(), _provider))));
        var cookie = await bff.SignInAsync("alice");
        var metadata = bff.Services.GetRequiredService<ProviderMetadata>();

        // Keys read now; a forged token with an unknown kid spends the re-read, then the provider rotates.
        await metadata.GetAsync(default);
        using (var forged = await PostAsync(bff, LogoutToken(bff.Time, "alice", "sid-alice", TestSigningKey.Rsa("forged"))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, forged.StatusCode);
        }

        var rotated = TestSigningKey.Rsa("rsa-2");
        _provider.PublishedKeys = [rotated];
        var token = LogoutToken(bff.Time, "alice", "sid-alice", rotated);
        using (var early = await PostAsync(bff, token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), early.Headers.RetryAfter?.Delta);
            Assert.Contains("temporarily_unavailable", await early.Content.ReadAsStringAsync());
        }

        using (var stillSignedIn = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
        }

        bff.Time.Advance(metadata.MinimumRefreshInterval);
        using (var retried = await PostAsync(bff, token))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        using (var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        }

        // A key the provider does not publish after a fresh read is a forgery: 400, for good.
        bff.Time.Advance(metadata.MinimumRefreshInterval);
        using var refused = await PostAsync(bff, LogoutToken(bff.Time, "alice", "sid-alice", TestSigningKey.Rsa("forged-again")));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    private string LogoutToken(TimeProvider time, string sub, string sid, TestSigningKey? key = null)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return (key ?? _provider.Rsa).Sign(new Dictionary<string, object?>
        {
            ["iss"] = InMemoryProvider.Issuer,
            ["aud"] = InMemoryProvider.ClientId,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sub"] = sub,
            ["sid"] = sid,
            ["events"] = new Dictionary<string, object> { [LogoutTokenValidator.BackChannelLogoutEvent] = new Dictionary<string, object>() },
        }, new Dictionary<string, object?> { ["typ"] = "logout+jwt" });
    }

    private static Task<HttpResponseMessage> PostAsync(InProcessBff bff, string token) =>
        bff.Client().PostAsync("/bff/backchannel", new FormUrlEncodedContent([new(BackChannelLogoutEndpoint.TokenField, token)]));

    /// <summary>A store that answers as the real one does while <see cref="Down"/> is false, and as an unreachable one while it is true.</summary>
    private sealed class OutageStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public volatile bool Down;

        protected override ISessionStore Inner => Down ? throw new SessionStoreUnavailableException("The test took the store down.") : base.Inner;
    }
}
