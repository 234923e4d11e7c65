using System.Net;

namespace Bff.Tests.Tokens;

public sealed class ClientAccessTokenCacheTests
{
    [Fact]
    public async Task The_token_is_shared_until_it_is_due_then_fetched_again()
    {
        using var kit = new TokenTestKit(refreshBeforeExpiry: TimeSpan.FromSeconds(10));
        kit.Endpoint.ExpiresIn = 60;

        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        kit.Time.Advance(TimeSpan.FromSeconds(49));
        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(1, kit.Endpoint.Calls);

        kit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(2, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task Each_scope_has_its_own_token()
    {
        using var kit = new TokenTestKit();

        var a = await kit.ClientTokens.GetAsync("a", null, CancellationToken.None);
        var b = await kit.ClientTokens.GetAsync("b", null, CancellationToken.None);

        Assert.NotEqual(a, b);
        Assert.Equal(2, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_fetch()
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.Gate = new TaskCompletionSource();

        var calls = Enumerable.Range(0, 8).Select(_ => kit.ClientTokens.GetAsync("api", null, CancellationToken.None)).ToList();
        await kit.Endpoint.Arrived.Task;
        kit.Endpoint.Gate.SetResult();

        Assert.All(await Task.WhenAll(calls), r => Assert.Equal(AccessTokenResult.Success("at-1"), r));
        Assert.Equal(1, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task A_refused_fetch_is_unavailable_and_not_cached()
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.BadRequest, """{"error":"invalid_scope"}"""));

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.ClientTokens.GetAsync("nope", null, CancellationToken.None));
        kit.Time.Advance(TimeSpan.FromSeconds(1 + RefreshBackoff.Jitter));
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.ClientTokens.GetAsync("nope", null, CancellationToken.None));
    }

    // Issue: a token whose expires_in was missing, a string or a float was never cached: one provider call per request.
    [Theory]
    [InlineData("""{"access_token":"c-1","expires_in":"3599"}""", 3000)]
    [InlineData("""{"access_token":"c-1","expires_in":3599.0}""", 3000)]
    [InlineData("""{"access_token":"c-1"}""", 14)]
    [InlineData("""{"access_token":"c-1","expires_in":0}""", 14)]
    public async Task A_token_with_an_odd_expires_in_is_cached(string body, int secondsCached)
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.OK, body));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AccessTokenResult.Success("c-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        }

        kit.Time.Advance(TimeSpan.FromSeconds(secondsCached));
        Assert.Equal(AccessTokenResult.Success("c-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(1, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task A_token_without_a_known_expiry_is_fetched_again_after_the_fallback_lifetime()
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.OK, """{"access_token":"c-1"}"""));

        Assert.Equal(AccessTokenResult.Success("c-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        kit.Time.Advance(SessionTokens.FallbackLifetime);
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
    }

    // Issue: after a failure every anonymous request called the token endpoint again.
    [Fact]
    public async Task After_a_failed_fetch_the_provider_is_left_alone_until_the_back_off_has_passed()
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, ""));

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        kit.Time.Advance(TimeSpan.FromSeconds(1 - RefreshBackoff.Jitter) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(1, kit.Endpoint.Calls);

        // Another scope has its own back-off.
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.ClientTokens.GetAsync("other", null, CancellationToken.None));

        kit.Time.Advance(TimeSpan.FromSeconds(1 + RefreshBackoff.Jitter));
        Assert.Equal(AccessTokenResult.Success("at-3"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(3, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task While_the_provider_fails_a_due_token_still_valid_is_used()
    {
        using var kit = new TokenTestKit(refreshBeforeExpiry: TimeSpan.FromSeconds(10));
        kit.Endpoint.ExpiresIn = 60;
        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));

        kit.Time.Advance(TimeSpan.FromSeconds(50));
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, ""));
        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
        Assert.Equal(2, kit.Endpoint.Calls);

        // Less than TokenRefreshPolicy.MinimumRemaining left.
        kit.Time.Advance(TimeSpan.FromSeconds(6));
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, ""));
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.ClientTokens.GetAsync("api", null, CancellationToken.None));
    }
}
