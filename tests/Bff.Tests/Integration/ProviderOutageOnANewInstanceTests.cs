using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Integration;

/// <summary>
/// The provider is away when a session's token falls due on an instance that has never read the provider's
/// discovery document (a new or restarted instance sharing Redis): the call fails softly, the session survives.
/// </summary>
public sealed class ProviderOutageOnANewInstanceTests : IAsyncLifetime
{
    private const int AccessTokenSeconds = 300;
    private RedisServer _redis = null!;
    private TestStack _stack = null!;

    /// <summary>The BFF instances' clock: it decides when a token is due and how long to back off, so the test moves it.</summary>
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _stack = await TestStack.StartAsync(new TestStackOptions
        {
            BffInstances = 2,
            Redis = _redis.ConnectionString,
            AccessTokenLifetimeSeconds = AccessTokenSeconds,
            Clock = _clock,
        });
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_due_token_on_an_instance_that_never_read_discovery_is_503_until_the_provider_is_back()
    {
        // Signed in on instance 0; instance 1 has not talked to the provider at all.
        using var onA = _stack.NewBrowser(0);
        await onA.SignInAsync("new-instance-outage");
        var before = await onA.GetJsonAsync("/api/whoami");
        using var onB = _stack.NewBrowser(1, onA.SessionCookie);

        await _stack.Idp.StopAsync();
        // Within a minute of its expiry (Bff:Tokens:RefreshBeforeExpiry), the BFF refreshes the token before forwarding;
        // while the provider is away, the token still valid is forwarded.
        _clock.Advance(TimeSpan.FromSeconds(AccessTokenSeconds - 55));
        Assert.Equal(before.GetProperty("jti").GetString(), (await onB.GetJsonAsync("/api/whoami")).GetProperty("jti").GetString());

        // Seconds before its expiry it is not forwarded any more.
        _clock.Advance(TimeSpan.FromSeconds(52));

        using (var during = await onB.GetAsync("/api/whoami"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
            Assert.Equal("provider_unavailable", JsonDocument.Parse(await during.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            Assert.True(during.Headers.Contains("Retry-After"));
        }

        using (var user = await onB.GetAsync("/bff/user"))
        {
            Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        }

        await _stack.Idp.StartAsync();

        // Once the back-off has passed on the BFF's clock, the next call reads discovery and refreshes.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var after = await onB.GetJsonAsync("/api/whoami");

        Assert.Equal("new-instance-outage", after.GetProperty("sub").GetString());
        Assert.NotEqual(before.GetProperty("jti").GetString(), after.GetProperty("jti").GetString());
    }
}
