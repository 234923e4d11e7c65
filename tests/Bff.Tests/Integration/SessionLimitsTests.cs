using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Integration;

/// <summary>
/// A stack with a 19½-minute idle timeout on a clock the test moves, and a login limit of three per minute;
/// loopback is a trusted proxy.
/// </summary>
public sealed class SessionLimitsStackFixture : StackFixture
{
    /// <summary>The BFF's clock. It starts at the real time, so the provider's tokens are valid on it.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override TestStackOptions Options => new()
    {
        BffSettings = new Dictionary<string, string>
        {
            ["Bff:Session:IdleTimeout"] = "00:19:30",
            ["Bff:RateLimits:Login:PermitLimit"] = "3",
            ["Bff:TrustedProxies:0"] = "127.0.0.1",
            ["Bff:TrustedProxies:1"] = "::1",
        },
        Clock = Clock,
    };
}

public sealed class SessionLimitsTests(SessionLimitsStackFixture fixture) : IClassFixture<SessionLimitsStackFixture>
{
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task An_idle_session_ends_after_the_configured_timeout()
    {
        // The in-memory store also sweeps expired sessions once a minute (counted from its creation, which resolving
        // it here pins to the fixture's start: the clock moves only in this test). The session expires at 19:30,
        // between two sweeps, so the owner's own request is the first to see it expired.
        Stack.BffServices().GetRequiredService<ISessionStore>();
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("idle-ian");

        // Reading the user without sliding does not count as activity.
        fixture.Clock.Advance(TimeSpan.FromMinutes(19));
        using (var stillAlive = await browser.GetAsync("/bff/user?slide=false"))
        {
            Assert.Equal(HttpStatusCode.OK, stillAlive.StatusCode);
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(45));
        using var response = await browser.GetAsync("/bff/user?slide=false");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("session_ended", problem.GetProperty("code").GetString());
        Assert.Contains("inactivity", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Login_is_limited_per_client_address()
    {
        using var browser = Stack.NewBrowser();

        Task<HttpResponseMessage> LoginFrom(string client)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/bff/login");
            request.Headers.Add("X-Forwarded-For", client);
            return browser.SendRawAsync(request);
        }

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await LoginFrom("203.0.113.77");
            Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);
        }

        using var limited = await LoginFrom("203.0.113.77");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Contains("rate_limited", await limited.Content.ReadAsStringAsync());

        // Another client behind the same proxy is not affected.
        using var other = await LoginFrom("203.0.113.78");
        Assert.Equal(HttpStatusCode.Found, other.StatusCode);
    }
}
