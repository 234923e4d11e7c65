using System.Net;
using System.Text.Json;
using Bff.Tests.Endpoints;

namespace Bff.Tests.RateLimiting;

public sealed class BffRateLimiterTests
{
    private static Dictionary<string, string?> Limits() => new()
    {
        ["Bff:RateLimits:Login:PermitLimit"] = "2",
        ["Bff:RateLimits:Login:Window"] = "00:10:00",
        ["Bff:RateLimits:BackChannel:PermitLimit"] = "1",
        ["Bff:RateLimits:BackChannel:Window"] = "00:10:00",
        // The test server's requests come from no address; trust nothing, so each test client is "unknown".
    };

    [Fact]
    public async Task Login_over_the_limit_is_429_with_retry_after_as_a_problem_for_api_callers()
    {
        await using var bff = await InProcessBff.StartAsync(Limits());

        for (var i = 0; i < 2; i++)
        {
            using var allowed = await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
        }

        using var limited = await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 600);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate_limited", JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        // Other endpoints are not limited.
        using var user = await bff.SendAsync(HttpMethod.Get, "/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    [Fact]
    public async Task A_browser_navigation_over_the_limit_gets_a_readable_page()
    {
        await using var bff = await InProcessBff.StartAsync(Limits());
        for (var i = 0; i < 2; i++)
        {
            (await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false)).Dispose();
        }

        using var limited = await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false,
            configure: r => r.Headers.Add("Sec-Fetch-Mode", "navigate"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("text/html", limited.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many attempts", await limited.Content.ReadAsStringAsync());
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task Back_channel_over_the_limit_is_429()
    {
        await using var bff = await InProcessBff.StartAsync(Limits());
        using var first = await bff.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
            configure: r => r.Content = new FormUrlEncodedContent([new("logout_token", "x")]));
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);

        using var second = await bff.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
            configure: r => r.Content = new FormUrlEncodedContent([new("logout_token", "x")]));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }
}
