using System.Net;
using System.Text.Json;

namespace Bff.Tests.Endpoints;

/// <summary><c>bff:session_expires_in</c> and <c>slide=false</c> through the real pipeline, on a fake clock.</summary>
public sealed class UserEndpointTimeTests
{
    private static async Task<long?> ExpiresInAsync(InProcessBff bff, string cookie, string query = "")
    {
        using var response = await bff.SendAsync(HttpMethod.Get, "/bff/user" + query, cookie);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var claims = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return claims.EnumerateArray().Single(c => c.GetProperty("type").GetString() == "bff:session_expires_in").GetProperty("value").GetInt64();
    }

    [Fact]
    public async Task Expires_in_counts_down_with_slide_false_and_resets_with_a_sliding_request()
    {
        await using var bff = await InProcessBff.StartAsync(new Dictionary<string, string?>
        {
            ["Bff:Session:IdleTimeout"] = "00:10:00",
            ["Bff:Session:AbsoluteLifetime"] = "01:00:00",
        });
        var cookie = await bff.SignInAsync();

        Assert.Equal(600, await ExpiresInAsync(bff, cookie, "?slide=false"));

        bff.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(360, await ExpiresInAsync(bff, cookie, "?slide=false"));

        Assert.Equal(600, await ExpiresInAsync(bff, cookie));

        bff.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await ExpiresInAsync(bff, cookie, "?slide=false"));
    }

    [Fact]
    public async Task Expires_in_never_exceeds_the_absolute_lifetime_left()
    {
        await using var bff = await InProcessBff.StartAsync(new Dictionary<string, string?>
        {
            ["Bff:Session:IdleTimeout"] = "00:10:00",
            ["Bff:Session:AbsoluteLifetime"] = "00:25:00",
        });
        var cookie = await bff.SignInAsync();

        bff.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(600, await ExpiresInAsync(bff, cookie));
        bff.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(7 * 60, await ExpiresInAsync(bff, cookie));
    }

    [Fact]
    public async Task After_an_idle_timeout_the_401_says_why_once()
    {
        await using var bff = await InProcessBff.StartAsync(new Dictionary<string, string?> { ["Bff:Session:IdleTimeout"] = "00:10:00" });
        var cookie = await bff.SignInAsync();
        bff.Time.Advance(TimeSpan.FromMinutes(10));

        using var first = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        var problem = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("session_ended", problem.GetProperty("code").GetString());
        Assert.Contains("inactivity", problem.GetProperty("detail").GetString());

        using var second = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        Assert.Equal("not_authenticated", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }
}
