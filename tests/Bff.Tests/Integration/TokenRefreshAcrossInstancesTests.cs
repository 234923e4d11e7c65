using System.Net;

namespace Bff.Tests.Integration;

/// <summary>Two BFF instances on one real Redis, with access tokens that live a few seconds.</summary>
public sealed class TokenRefreshAcrossInstancesTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private TestStack _stack = null!;
    private readonly ShiftableClock _clock = new();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _stack = await TestStack.StartAsync(new TestStackOptions
        {
            BffInstances = 2,
            Redis = _redis.ConnectionString,
            AccessTokenLifetimeSeconds = ShortTokenStackFixture.AccessTokenSeconds,
            Clock = _clock,
        });
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Ten_calls_on_each_instance_at_once_cause_one_refresh_in_total()
    {
        using var onA = _stack.NewBrowser(0);
        await onA.SignInAsync("two-instances");
        using var onB = _stack.NewBrowser(1, onA.SessionCookie);

        var before = await onA.GetJsonAsync("/api/whoami");
        TokenRefreshTests.MakeTokensDue(_clock);
        var refreshesBefore = await _stack.Idp.GrantCountAsync("refresh_token");

        var calls = Enumerable.Range(0, 10).SelectMany(_ => new[] { onA.GetAsync("/api/whoami"), onB.GetAsync("/api/whoami") });
        var answers = await Task.WhenAll(calls);

        Assert.NotEqual(before.GetProperty("jti").GetString(), await TokenRefreshTests.SingleTokenIdAsync(answers));
        Assert.Equal(refreshesBefore + 1, await _stack.Idp.GrantCountAsync("refresh_token"));
    }
}
