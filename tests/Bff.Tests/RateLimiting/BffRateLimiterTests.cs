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

    [Theory]
    [InlineData("/bff/login/")]
    [InlineData("/BFF/Login")]
    public async Task Every_path_that_routes_to_login_spends_the_same_budget(string variant)
    {
        await using var bff = await InProcessBff.StartAsync(Limits());
        (await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false)).Dispose();
        (await bff.SendAsync(HttpMethod.Get, variant, antiforgery: false)).Dispose();

        using var limited = await bff.SendAsync(HttpMethod.Get, variant, antiforgery: false);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }

    [Fact]
    public async Task Each_client_address_has_its_own_budget()
    {
        await using var bff = await InProcessBff.StartAsync(Limits());
        for (var i = 0; i < 2; i++)
        {
            (await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false)).Dispose();
        }

        using var other = await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false,
            configure: r => r.Headers.Add(InProcessBff.PeerHeader, "198.51.100.20"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
    }

    // One subscriber holds a whole IPv6 /64: a new address in it is the same client, not a fresh budget.
    [Fact]
    public async Task Ipv6_clients_spend_the_budget_of_their_64_network()
    {
        await using var bff = await InProcessBff.StartAsync(Limits());
        foreach (var address in new[] { "2001:db8:1:2::1", "2001:db8:1:2:aaaa::7" })
        {
            (await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false,
                configure: r => r.Headers.Add(InProcessBff.PeerHeader, address))).Dispose();
        }

        using var sameNetwork = await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false,
            configure: r => r.Headers.Add(InProcessBff.PeerHeader, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.Equal(HttpStatusCode.TooManyRequests, sameNetwork.StatusCode);

        using var otherNetwork = await bff.SendAsync(HttpMethod.Get, "/bff/login", antiforgery: false,
            configure: r => r.Headers.Add(InProcessBff.PeerHeader, "2001:db8:1:3::1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, otherNetwork.StatusCode);
    }

    [Theory]
    [InlineData("198.51.100.20", "198.51.100.20")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    public void The_partition_of_an_address(string address, string partition) =>
        Assert.Equal(partition, Bff.RateLimiting.ClientPartition.Of(IPAddress.Parse(address)));

    [Fact]
    public async Task Clients_without_an_address_do_not_share_one_bucket()
    {
        // Kestrel on a Unix socket, as behind a local proxy: requests carry no client address at all.
        var socket = Path.Combine(Path.GetTempPath(), $"bff-{Guid.NewGuid():N}.sock");
        await using var app = Bff.Host.BffHostApp.Create(
        [
            $"--urls=http://unix:{socket}",
            .. StandaloneBff.OverPlainHttp,
            "--Bff:RateLimits:Login:PermitLimit=2",
        ]);
        await app.StartAsync();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                // A new client each time: its own connection.
                using var http = new HttpClient(new SocketsHttpHandler
                {
                    ConnectCallback = async (_, cancellationToken) =>
                    {
                        var unix = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                        await unix.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), cancellationToken);
                        return new System.Net.Sockets.NetworkStream(unix, ownsSocket: true);
                    },
                });
                using var response = await http.GetAsync("http://localhost/bff/login");
                Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
            }
        }
        finally
        {
            await app.StopAsync();
            File.Delete(socket);
        }
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
    public async Task Back_channel_failures_over_the_limit_are_429()
    {
        await using var bff = await InProcessBff.StartAsync(Limits());
        using var first = await bff.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
            configure: r => r.Content = new StringContent("logout_token=x", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);

        // The budget is spent: even a well-formed request now waits.
        using var second = await bff.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
            configure: r => r.Content = new FormUrlEncodedContent([new("logout_token", "x")]));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);

        // Another client is not affected.
        using var other = await bff.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
            configure: r =>
            {
                r.Headers.Add(InProcessBff.PeerHeader, "198.51.100.20");
                r.Content = new StringContent("logout_token=x", System.Text.Encoding.UTF8, "text/plain");
            });
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }
}
