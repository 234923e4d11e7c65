using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Bff.Tests.Integration;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Bff.Tests.Redis;

/// <summary>
/// Two BFF instances on a real three-master Redis Cluster: every flow that touches sessions, indexes, locks and
/// the key ring works (a CROSSSLOT or MOVED error would fail it), and the keys spread over every master.
/// </summary>
public sealed class RedisClusterTests(RedisClusterFixture fixture, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    private TestStack Stack => fixture.Stack;

    private BrowserClient Browser(int instance, BrowserClient? sameJar = null) => Stack.NewBrowser(instance, sameJar?.SessionCookie);

    private static async Task<JsonElement[]> SessionsAsync(BrowserClient browser) =>
        (await browser.GetJsonAsync("/bff/sessions")).EnumerateArray().ToArray();

    [Fact]
    public async Task A_session_from_one_instance_works_on_the_other_and_signing_out_there_ends_it()
    {
        var clock = Stopwatch.StartNew();
        using var onA = Browser(0);
        await onA.SignInAsync("cluster-ada");
        using var onB = Browser(1, onA);

        Assert.Equal("cluster-ada", (await onB.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
        await onB.SignOutAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/bff/user")).StatusCode);
        output.WriteLine($"sign-in, call through the other instance, sign-out: {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Sessions_list_end_one_and_sign_out_everywhere_across_instances()
    {
        using var laptop = Browser(0);
        using var phone = Browser(1);
        using var tablet = Browser(0);
        using var bystander = Browser(1);
        await laptop.SignInAsync("cluster-sam");
        await phone.SignInAsync("cluster-sam");
        await tablet.SignInAsync("cluster-sam");
        await bystander.SignInAsync("cluster-zoe");

        var listed = await SessionsAsync(phone);
        Assert.Equal(3, listed.Length);
        var laptopId = (await SessionsAsync(laptop)).Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();

        using (var ended = await phone.SendAsync(HttpMethod.Delete, "/bff/sessions/" + laptopId))
        {
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        }

        using (var next = await laptop.GetAsync("/bff/user"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
            Assert.Contains("session_ended", await next.Content.ReadAsStringAsync());
        }

        Assert.Equal(2, (await SessionsAsync(tablet)).Length);
        var events = (await tablet.GetJsonAsync("/bff/sessions/events")).EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("reason").GetString() == "EndedFromOtherSession" && e.GetProperty("sessionId").GetString() == laptopId);

        using (var everywhere = await tablet.SendAsync(HttpMethod.Delete, "/bff/sessions"))
        {
            Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/bff/user")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tablet.GetAsync("/bff/user")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task Back_channel_logout_ends_the_sessions_on_both_instances()
    {
        using var onA = Browser(0);
        using var onB = Browser(1);
        using var bystander = Browser(1);
        await onA.SignInAsync("cluster-zack");
        await onB.SignInAsync("cluster-zack");
        await bystander.SignInAsync("cluster-yves");

        var result = await Stack.Idp.EndSessionsAsync("cluster-zack");
        Assert.Equal(2, result.GetProperty("backchannel").GetProperty("success").GetInt32());

        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/bff/user")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task Calls_on_both_instances_at_once_cause_one_refresh_in_total()
    {
        using var onA = Browser(0);
        await onA.SignInAsync("cluster-refresh");
        using var onB = Browser(1, onA);

        var before = await onA.GetJsonAsync("/api/whoami");
        TokenRefreshTests.MakeTokensDue(fixture.Clock);
        var refreshesBefore = await Stack.Idp.GrantCountAsync("refresh_token");

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).SelectMany(_ => new[] { onA.GetAsync("/api/whoami"), onB.GetAsync("/api/whoami") }));

        Assert.NotEqual(before.GetProperty("jti").GetString(), await TokenRefreshTests.SingleTokenIdAsync(answers));
        Assert.Equal(refreshesBefore + 1, await Stack.Idp.GrantCountAsync("refresh_token"));
    }

    [Fact]
    public async Task Keys_of_every_kind_spread_over_every_master()
    {
        for (var i = 0; i < 6; i++)
        {
            using var browser = Browser(i % 2);
            await browser.SignInAsync($"cluster-spread-{i}");
        }

        var perMaster = new Dictionary<string, List<string>>();
        foreach (var endpoint in fixture.Inspector.GetEndPoints())
        {
            var server = fixture.Inspector.GetServer(endpoint);
            if (!server.IsReplica)
            {
                perMaster[endpoint.ToString()!] = server.Keys(pattern: "bff:*", pageSize: 1000).Select(k => (string)k!).ToList();
            }
        }

        Assert.Equal(3, perMaster.Count);
        Assert.All(perMaster.Values, keys => Assert.NotEmpty(keys));
        var all = perMaster.Values.SelectMany(k => k).ToList();
        Assert.Contains(all, k => k.StartsWith("bff:session:{", StringComparison.Ordinal));
        Assert.Contains(all, k => k.StartsWith("bff:sub:{", StringComparison.Ordinal));
        Assert.Contains(all, k => k.StartsWith("bff:expiry:{", StringComparison.Ordinal));
        Assert.Contains("bff:dataprotection:keys", all);
        Assert.Contains("bff:audit-log", all);
        output.WriteLine(string.Join(", ", perMaster.Select(m => $"{m.Key}: {m.Value.Count} keys")));

        // No command was ever refused for touching two slots or sent to the wrong master (the servers count them).
        foreach (var port in fixture.Cluster.Ports)
        {
            var errors = await RedisCluster.CliAsync(port, "INFO", "errorstats");
            Assert.DoesNotContain("CROSSSLOT", errors);
            Assert.DoesNotContain("MOVED", errors);
            Assert.DoesNotContain("ASK", errors);
        }
    }

    // Each master is asked (INFO memory, from a script sent to that server): the one that may evict is named alone.
    [Fact]
    public async Task The_eviction_policy_is_read_from_every_master()
    {
        var port = fixture.Cluster.Ports[1];
        await RedisCluster.CliAsync(port, "CONFIG", "SET", "maxmemory", "1gb");
        await RedisCluster.CliAsync(port, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        try
        {
            using var connection = RedisFixture.Connect(fixture.Cluster.ConnectionString, RedisFixture.NewPrefix());
            var policy = new RedisEvictionPolicy(connection, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisEvictionPolicy>.Instance);

            var evicting = await policy.EvictingAsync(CancellationToken.None);

            Assert.EndsWith($":{port} (allkeys-lru)", Assert.Single(evicting), StringComparison.Ordinal);
            Assert.Equal(3, (await connection.PrimariesAsync(CancellationToken.None)).Count);
        }
        finally
        {
            await RedisCluster.CliAsync(port, "CONFIG", "SET", "maxmemory-policy", "noeviction");
            await RedisCluster.CliAsync(port, "CONFIG", "SET", "maxmemory", "0");
        }
    }

    [Fact]
    public async Task The_sweeper_ends_thousands_of_sessions_on_the_cluster_once_each()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var scenario = new SweeperScenario(prefix => RedisFixture.Connect(fixture.Cluster.ConnectionString, prefix), fixture.Inspector, clock);
        var now = clock.GetUtcNow();
        var sessions = Enumerable.Range(0, 3000)
            .Select(i => SweeperScenario.Session($"c{i}", $"cu{i % 500}", $"csid{i}", now.AddHours(-1), now.AddMinutes(1), now.AddHours(7)))
            .ToList();
        var saving = Stopwatch.StartNew();
        await scenario.SaveAsync(sessions);
        var saved = saving.Elapsed;
        Assert.Equal(3000, await scenario.Stores[1].CountAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(2));

        var (ended, elapsed) = await scenario.SweepAllAsync();

        Assert.Equal(3000, ended.Sum());
        Assert.Equal(3000, scenario.Ends.Count);
        Assert.All(scenario.Ends.Values, ends => Assert.Single(ends));
        Assert.Empty(scenario.RemainingKeys());
        output.WriteLine($"cluster: saved 3000 sessions in {saved.TotalMilliseconds:0} ms; swept them in {elapsed.TotalMilliseconds:0} ms " +
                         $"({3000 / elapsed.TotalMinutes:0} ends/minute, {string.Join(" + ", ended)})");
    }
}
