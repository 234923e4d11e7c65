using System.Net;
using System.Text.Json;

namespace Bff.Tests.Redis;

/// <summary>
/// Redis goes away under a running BFF and comes back (with AOF, so it keeps its data): requests that need a
/// session get 503, never "signed out"; readiness follows Redis; the same cookie works again, no BFF restart.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private TestStack _stack = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(appendOnly: true);
        _stack = await TestStack.StartAsync(new TestStackOptions { Redis = _redis.ConnectionString });
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Outage_answers_503_and_the_same_cookie_works_again_once_redis_is_back()
    {
        using var browser = _stack.NewBrowser();
        await browser.SignInAsync("barbara");
        Assert.Equal("barbara", (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());

        await _redis.StopAsync();

        foreach (var path in new[] { "/bff/user", "/api/whoami" })
        {
            using var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("session_store_unavailable", problem.GetProperty("code").GetString());
            Assert.Equal("urn:bff:problem:session_store_unavailable", problem.GetProperty("type").GetString());
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
        }

        using (var ready = await browser.GetAsync("/health/ready", antiforgery: false))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Unhealthy", json.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", json.GetProperty("checks").GetProperty("redis").GetString());
        }

        using (var live = await browser.GetAsync("/health/live", antiforgery: false))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // A navigation that needs the session gets a readable page, not an error dump or a sign-in loop.
        var page = await browser.NavigateAsync("/bff/login");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Equal("text/html", page.MediaType);
        Assert.Contains("Back to the app", page.Body);

        await _redis.StartAsync();

        var (status, _) = await Polling.UntilAsync(
            async () => { using var r = await browser.GetAsync("/bff/user"); return r.StatusCode; },
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("barbara", (await browser.UserAsync())["sub"].GetString());
        Assert.Equal("barbara", (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
        using var readyAgain = await browser.GetAsync("/health/ready", antiforgery: false);
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }

    [Fact]
    public async Task Signing_in_during_an_outage_shows_a_readable_error_page()
    {
        using var browser = _stack.NewBrowser();
        var login = await browser.NavigateAsync("/bff/login");
        var form = login.Form() ?? throw new InvalidOperationException("no login form: " + login.Body);
        form.Fields["login"] = "dorothy";
        form.Fields["password"] = "any";

        await _redis.StopAsync();
        var page = await browser.NavigateAsync(form.Action.ToString(), HttpMethod.Post, form.Fields);

        Assert.EndsWith("/signin-oidc", page.Url.AbsolutePath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Equal("text/html", page.MediaType);
        Assert.Contains("temporarily unavailable", page.Body);
        Assert.Null(browser.SessionCookie);
    }

    [Fact]
    public async Task A_bff_started_during_an_outage_answers_503_then_recovers_by_itself()
    {
        using var browser = _stack.NewBrowser();
        await browser.SignInAsync("edsger");

        await _redis.StopAsync();
        await _stack.StopBffAsync(0);
        await _stack.StartBffAsync(0); // neither the key ring nor the session can be read now

        using (var user = await browser.GetAsync("/bff/user"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, user.StatusCode);
            Assert.Contains("session_store_unavailable", await user.Content.ReadAsStringAsync());
        }

        using (var live = await browser.GetAsync("/health/live", antiforgery: false))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await _redis.StartAsync();

        var (status, _) = await Polling.UntilAsync(
            async () => { using var r = await browser.GetAsync("/bff/user"); return r.StatusCode; },
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("edsger", (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
    }
}
