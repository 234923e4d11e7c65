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
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.ClientTokens.GetAsync("nope", null, CancellationToken.None));
    }
}
