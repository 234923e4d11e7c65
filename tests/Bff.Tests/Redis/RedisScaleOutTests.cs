using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>Two BFF instances on one Redis: a user signed in on one is signed in on both.</summary>
public sealed class RedisScaleOutTests(RedisStackFixture fixture) : IClassFixture<RedisStackFixture>
{
    private TestStack Stack => fixture.Stack;

    private BrowserClient Browser(int instance, Cookie? session = null) => Stack.NewBrowser(instance, session);

    [Fact]
    public async Task Signed_in_on_one_instance_calls_the_api_through_the_other()
    {
        using var browser = Browser(0);
        await browser.SignInAsync("ada");

        // Browsers share localhost cookies across ports: the same jar now talks to instance B.
        browser.BffUrl = Stack.BffUrlOf(1);
        var whoami = await browser.GetJsonAsync("/api/whoami");
        Assert.Equal("ada", whoami.GetProperty("sub").GetString());
        Assert.Equal("ada", (await browser.UserAsync())["sub"].GetString());
    }

    [Fact]
    public async Task Signing_out_on_one_instance_ends_the_session_on_the_other_within_a_second()
    {
        using var browser = Browser(0);
        await browser.SignInAsync("grace");
        var cookie = browser.SessionCookie!;
        using var onA = Browser(0, cookie);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/bff/user")).StatusCode);

        browser.BffUrl = Stack.BffUrlOf(1);
        await browser.SignOutAsync();

        var (status, elapsed) = await Polling.UntilAsync(
            async () => { using var r = await onA.GetAsync("/bff/user"); return r.StatusCode; },
            s => s == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(elapsed <= TimeSpan.FromSeconds(1), $"instance A still accepted the session after {elapsed}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/api/whoami")).StatusCode);
    }

    [Fact]
    public async Task The_cookie_still_works_after_the_instance_that_issued_it_restarts()
    {
        using var browser = Browser(0);
        await browser.SignInAsync("linus");

        await Stack.StopBffAsync(0);
        await Stack.StartBffAsync(0);

        Assert.Equal("linus", (await browser.UserAsync())["sub"].GetString());
        Assert.Equal("linus", (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task No_token_or_cookie_value_is_stored_in_clear_anywhere_in_redis()
    {
        using var browser = Browser(1);
        await browser.SignInAsync("margaret");
        await browser.GetJsonAsync("/api/whoami");

        var services = Stack.BffServices(1);
        var store = services.GetRequiredService<ISessionStore>();
        var session = await store.GetAsync(Assert.Single(await store.GetBySubjectAsync("margaret", CancellationToken.None)).Id, CancellationToken.None);
        var ticket = services.GetRequiredService<SessionTicketProtector>().Unprotect(session!.Ticket, session.Id)!;
        var secrets = new[] { "access_token", "refresh_token", "id_token" }
            .Select(name => ticket.Properties.GetTokenValue(name) ?? throw new InvalidOperationException(name + " missing"))
            .Append(browser.SessionCookie!.Value)
            .ToList();
        Assert.All(secrets, s => Assert.True(s.Length > 20));

        using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString + ",allowAdmin=true");
        var values = await AllValuesAsync(redis);
        Assert.NotEmpty(values);
        foreach (var secret in secrets)
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            Assert.DoesNotContain(values, v => v.AsSpan().IndexOf(bytes) >= 0);
        }

    }

    [Fact]
    public async Task Ready_reports_redis_and_live_answers()
    {
        using var browser = Browser(0);
        using var ready = await browser.GetAsync("/health/ready", antiforgery: false);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
        Assert.Equal("Healthy", json.GetProperty("checks").GetProperty("redis").GetString());

        using var live = await browser.GetAsync("/health/live", antiforgery: false);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_session_takes_a_few_kilobytes_of_redis_memory()
    {
        using var browser = Browser(0);
        await browser.SignInAsync("memory-user");
        await browser.GetJsonAsync("/api/whoami");

        using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var id = (string)(await db.SortedSetRangeByRankAsync("bff:sub:{memory-user}")).Single()!;
        var sid = (await Stack.BffServices().GetRequiredService<ISessionStore>().GetAsync(id, CancellationToken.None))!.ProviderSessionId!;
        async Task<long> Usage(string key) => (long)(await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0"));

        var session = await Usage("bff:session:{" + id + "}");
        var indexes = await Usage("bff:sub:{memory-user}") + await Usage("bff:sid:{" + sid + "}");
        var audit = await Usage("bff:audit:{memory-user}");
        var total = session + indexes + 64; // + its entry in a schedule bucket (id and score)

        // Measured: the session hash with its encrypted ticket dominates. The user's audit stream is per user
        // (kept for the retention period), not per session: a stream's first node costs about 4.5 KB.
        Console.WriteLine($"memory per session: hash {session} B, sub+sid indexes {indexes} B, total ≈ {total} B; the user's audit stream {audit} B");
        Assert.InRange(total, 1000, 4 * 1024);
    }

    /// <summary>Every value of every key: strings, and each field, member and element of hashes, sets and lists.</summary>
    internal static async Task<List<byte[]>> AllValuesAsync(ConnectionMultiplexer redis)
    {
        var db = redis.GetDatabase();
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var values = new List<byte[]>();
        foreach (var key in server.Keys(pattern: "*", pageSize: 500))
        {
            values.Add(Encoding.UTF8.GetBytes((string)key!));
            switch (await db.KeyTypeAsync(key))
            {
                case RedisType.String:
                    values.Add((byte[])(await db.StringGetAsync(key))!);
                    break;
                case RedisType.Hash:
                    foreach (var entry in await db.HashGetAllAsync(key))
                    {
                        values.Add((byte[])entry.Name!);
                        values.Add((byte[])entry.Value!);
                    }

                    break;
                case RedisType.List:
                    values.AddRange((await db.ListRangeAsync(key)).Select(v => (byte[])v!));
                    break;
                case RedisType.Set:
                    values.AddRange((await db.SetMembersAsync(key)).Select(v => (byte[])v!));
                    break;
                case RedisType.SortedSet:
                    values.AddRange((await db.SortedSetRangeByRankAsync(key)).Select(v => (byte[])v!));
                    break;
                case RedisType.Stream:
                    foreach (var entry in await db.StreamRangeAsync(key))
                    {
                        values.AddRange(entry.Values.SelectMany(v => new[] { (byte[])v.Name!, (byte[])v.Value! }));
                    }

                    break;
            }
        }

        return values;
    }
}
