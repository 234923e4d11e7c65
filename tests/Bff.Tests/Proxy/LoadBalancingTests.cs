using System.Net;
using Bff.Tests.Oidc;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Proxy;

/// <summary>A cluster's load-balancing policy and passive health checks hold on remote-API routes, as in a plain YARP proxy.</summary>
public sealed class LoadBalancingTests
{
    private static Task<LocalHttpServer> NamedServerAsync(string name) =>
        LocalHttpServer.StartAsync(context => context.Response.WriteAsync(name));

    [Fact]
    public async Task Round_robin_takes_the_destinations_in_turn()
    {
        await using var a = await NamedServerAsync("a");
        await using var b = await NamedServerAsync("b");
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string>
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["Destinations:a:Address"] = a.Url,
            ["Destinations:b:Address"] = b.Url,
        });
        using var browser = bff.NewBrowser();

        var answers = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await browser.GetAsync("/api/x");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        // Chosen at random instead, twelve answers alternate once in 2,048 runs.
        Assert.All(answers.Zip(answers.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task Cookie_session_affinity_keeps_a_browser_on_its_destination()
    {
        await using var a = await NamedServerAsync("a");
        await using var b = await NamedServerAsync("b");
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string>
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["SessionAffinity:Enabled"] = "true",
            ["SessionAffinity:Policy"] = "Cookie",
            ["SessionAffinity:AffinityKeyName"] = "api-affinity",
            ["Destinations:a:Address"] = a.Url,
            ["Destinations:b:Address"] = b.Url,
        });

        using var browser = bff.NewBrowser();

        var answers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await browser.GetAsync("/api/x");
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        // Round robin alone would send every other call to the other destination.
        Assert.Single(answers.Distinct());
        Assert.Contains(browser.Cookies.GetAllCookies(), c => c.Name == "api-affinity" && c.HttpOnly);
    }

    [Fact]
    public async Task A_destination_that_fails_is_left_out_by_the_passive_health_check()
    {
        await using var live = await NamedServerAsync("live");
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string>
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["HealthCheck:Passive:Enabled"] = "true",
            ["Destinations:live:Address"] = live.Url,
            // Nothing listens there: every call to it fails at once.
            ["Destinations:dead:Address"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        using var browser = bff.NewBrowser();

        // The policy judges a destination after 10 calls to it; taken in turn, the dead one gets every other call.
        for (var i = 0; i < 24; i++)
        {
            (await browser.GetAsync("/api/x")).Dispose();
        }

        // Marking it unhealthy is applied in the background: a run of 20 calls that all reach the live one. Without
        // the health check, each run has a chance of one in a million.
        await Polling.UntilAsync(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                using var response = await browser.GetAsync("/api/x");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(10), "20 calls in a row to the live destination");
    }
}
