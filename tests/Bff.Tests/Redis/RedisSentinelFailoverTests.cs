using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace Bff.Tests.Redis;

/// <summary>A BFF behind Sentinel (master, one replica): the master dies under load and the replica takes over.</summary>
public sealed class RedisSentinelFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RedisSentinelSet _redis = null!;
    private TestStack _stack = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisSentinelSet.StartAsync();
        _stack = await TestStack.StartAsync(new TestStackOptions { BffInstances = 2, Redis = _redis.ConnectionString });
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Killing_the_master_under_load_answers_only_503_meanwhile_and_keeps_the_sessions_written_before()
    {
        var browsers = new List<BrowserClient>();
        for (var i = 0; i < 6; i++)
        {
            var browser = _stack.NewBrowser(i % 2);
            await browser.SignInAsync($"failover-{i}");
            browsers.Add(browser);
        }

        // Asynchronous replication: what the replica has when the master dies is what survives.
        await _redis.WaitForReplicaAsync();
        Assert.Equal(_redis.MasterPort, await _redis.CurrentMasterPortAsync());

        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stopLoad = new CancellationTokenSource();
        var load = Task.WhenAll(browsers.Select(async browser =>
        {
            // Bounded: at most 2,000 calls per browser, and never past the test's own deadline.
            for (var n = 0; n < 2000 && !stopLoad.IsCancellationRequested; n++)
            {
                using var response = await browser.GetAsync("/bff/user");
                statuses.Add(response.StatusCode);
                await Task.Delay(20);
            }
        }));

        await Polling.UntilAsync(() => Task.FromResult(statuses.Count), n => n >= 30, TimeSpan.FromSeconds(10)); // load before the crash
        var clock = Stopwatch.StartNew();
        await _redis.KillMasterAsync();

        var (promoted, _) = await Polling.UntilAsync(_redis.CurrentMasterPortAsync, port => port == _redis.ReplicaPort, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.Equal(_redis.ReplicaPort, promoted);
        var promotedAfter = clock.Elapsed;

        // The BFF follows the promotion by itself: every session answers 200 again, on both instances.
        var (allOk, recoveredAfter) = await Polling.UntilAsync(async () =>
        {
            var answers = await Task.WhenAll(browsers.Select(async b => { using var r = await b.GetAsync("/bff/user"); return r.StatusCode; }));
            return answers.All(s => s == HttpStatusCode.OK);
        }, ok => ok, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.True(allOk, "the sessions written before the failover did not come back");
        await stopLoad.CancelAsync();
        await load;

        // How many calls fall into the gap depends on timing (the client may hold a command until the promotion and
        // then succeed); what never happens is anything but 200 or 503. RedisOutageTests pins the 503 itself.
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {s} during the failover"));

        // Writes go to the new master: a new sign-in and a sign-out work.
        using var late = _stack.NewBrowser(1);
        await late.SignInAsync("after-failover");
        Assert.Equal(HttpStatusCode.OK, (await late.GetAsync("/bff/user")).StatusCode);
        await browsers[0].SignOutAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await browsers[0].GetAsync("/bff/user")).StatusCode);

        output.WriteLine($"promoted after {promotedAfter.TotalMilliseconds:0} ms, all sessions served again {recoveredAfter.TotalMilliseconds:0} ms after that; " +
                         $"{statuses.Count} calls: {statuses.Count(s => s == HttpStatusCode.OK)} × 200, {statuses.Count(s => s == HttpStatusCode.ServiceUnavailable)} × 503");
        foreach (var browser in browsers)
        {
            browser.Dispose();
        }
    }
}
