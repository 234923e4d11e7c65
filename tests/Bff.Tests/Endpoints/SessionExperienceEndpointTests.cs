using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Endpoints;

/// <summary>
/// The server side of the SPA's session experience: the expiry header that follows the sliding idle timer,
/// <c>DELETE /bff/sessions/others</c>, the user's event list without token refreshes, and readable pages for
/// a person who opens an API endpoint in the address bar.
/// </summary>
public sealed class SessionExperienceEndpointTests
{
    private const string Header = "Bff-Session-Expires-In";

    private static readonly Dictionary<string, string?> TenMinutesIdle = new()
    {
        ["Bff:Session:IdleTimeout"] = "00:10:00",
        ["Bff:Session:AbsoluteLifetime"] = "01:00:00",
    };

    private static long? HeaderOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(Header, out var values) ? long.Parse(Assert.Single(values)) : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Every_call_with_a_session_says_when_it_ends_after_that_call()
    {
        await using var bff = await InProcessBff.StartAsync(TenMinutesIdle);
        var cookie = await bff.SignInAsync();

        using (var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie))
        {
            Assert.Equal(600, HeaderOf(user));
        }

        bff.Time.Advance(TimeSpan.FromMinutes(4));
        using (var polled = await bff.SendAsync(HttpMethod.Get, "/bff/user?slide=false", cookie))
        {
            Assert.Equal(360, HeaderOf(polled));
        }

        // Any other call slides the timer, and its answer says so.
        using (var sessions = await bff.SendAsync(HttpMethod.Get, "/bff/sessions", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, sessions.StatusCode);
            Assert.Equal(600, HeaderOf(sessions));
        }

        bff.Time.Advance(TimeSpan.FromMinutes(10));
        using var ended = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, ended.StatusCode);
        Assert.Null(HeaderOf(ended));
    }

    [Fact]
    public async Task No_header_without_a_session_or_for_a_session_the_call_ended()
    {
        await using var bff = await InProcessBff.StartAsync(TenMinutesIdle);
        using (var anonymous = await bff.SendAsync(HttpMethod.Get, "/bff/user"))
        {
            Assert.Null(HeaderOf(anonymous));
        }

        var cookie = await bff.SignInAsync();
        using var everywhere = await bff.SendAsync(HttpMethod.Delete, "/bff/sessions", cookie);
        Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);
        Assert.Null(HeaderOf(everywhere));

        // Sign-out: the redirect away from a session that has just ended says nothing about it. (Another user: alice's
        // provider session must now authenticate again, which this shortcut sign-in does not.)
        cookie = await bff.SignInAsync("bob");
        using var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        var logoutUrl = (await user.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
            .Single(c => c.GetProperty("type").GetString() == "bff:logout_url").GetProperty("value").GetString()!;
        using var signedOut = await bff.SendAsync(HttpMethod.Get, logoutUrl, cookie, antiforgery: false);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Null(HeaderOf(signedOut));
    }

    // Routing matches the literal segments in any letter case; so must the endpoint, or OTHERS would end them all.
    [Theory]
    [InlineData("/bff/sessions/others")]
    [InlineData("/bff/sessions/OTHERS")]
    [InlineData("/BFF/Sessions/Others/")]
    public async Task Sign_out_of_other_sessions_keeps_this_one(string path)
    {
        await using var bff = await InProcessBff.StartAsync();
        var laptop = await bff.SignInAsync("alice");
        var phone = await bff.SignInAsync("alice");
        var tablet = await bff.SignInAsync("alice");
        var bystander = await bff.SignInAsync("bob");

        using var others = await bff.SendAsync(HttpMethod.Delete, path, laptop);
        Assert.Equal(HttpStatusCode.NoContent, others.StatusCode);
        Assert.NotNull(HeaderOf(others));

        using (var list = await bff.SendAsync(HttpMethod.Get, "/bff/sessions", laptop))
        {
            var sessions = (await JsonAsync(list)).EnumerateArray().ToList();
            Assert.True(Assert.Single(sessions).GetProperty("current").GetBoolean());
        }

        foreach (var gone in new[] { phone, tablet })
        {
            using var next = await bff.SendAsync(HttpMethod.Get, "/bff/user", gone);
            Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
            Assert.Contains("another of your sessions", (await JsonAsync(next)).GetProperty("detail").GetString());
        }

        using var stillBob = await bff.SendAsync(HttpMethod.Get, "/bff/user", bystander);
        Assert.Equal(HttpStatusCode.OK, stillBob.StatusCode);

        using var events = await bff.SendAsync(HttpMethod.Get, path.Replace("others", "events", StringComparison.OrdinalIgnoreCase), laptop);
        Assert.Equal(2, (await JsonAsync(events)).EnumerateArray()
            .Count(e => e.TryGetProperty("reason", out var reason) && reason.GetString() == "EndedFromOtherSession"));
    }

    [Fact]
    public async Task Sign_out_of_other_sessions_needs_the_antiforgery_header_and_a_session()
    {
        await using var bff = await InProcessBff.StartAsync();
        var laptop = await bff.SignInAsync("alice");
        var phone = await bff.SignInAsync("alice");

        using var forged = await bff.SendAsync(HttpMethod.Delete, "/bff/sessions/others", laptop, antiforgery: false);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("antiforgery_header_missing", (await JsonAsync(forged)).GetProperty("code").GetString());

        using var anonymous = await bff.SendAsync(HttpMethod.Delete, "/bff/sessions/others");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("not_authenticated", (await JsonAsync(anonymous)).GetProperty("code").GetString());

        // A GET (a link, an image) is not the DELETE: it ends nothing.
        (await bff.SendAsync(HttpMethod.Get, "/bff/sessions/others", laptop)).Dispose();

        using var phoneStill = await bff.SendAsync(HttpMethod.Get, "/bff/user", phone);
        Assert.Equal(HttpStatusCode.OK, phoneStill.StatusCode);
    }

    [Fact]
    public async Task Sign_out_everywhere_leaves_the_dead_cookie_so_the_next_sign_in_asks_for_the_password()
    {
        await using var bff = await InProcessBff.StartAsync();
        var laptop = await bff.SignInAsync("alice");

        using var everywhere = await bff.SendAsync(HttpMethod.Delete, "/bff/sessions", laptop);
        Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);
        Assert.False(everywhere.Headers.Contains("Set-Cookie"));

        using var next = await bff.SendAsync(HttpMethod.Get, "/bff/user", laptop);
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
        Assert.Contains("everywhere", (await JsonAsync(next)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Recent_activity_lists_sign_ins_and_ends_but_not_token_refreshes()
    {
        await using var bff = await InProcessBff.StartAsync();
        var laptop = await bff.SignInAsync("alice");
        var phone = await bff.SignInAsync("alice");
        var store = bff.Services.GetRequiredService<ISessionStore>();
        var sessions = await store.GetBySubjectAsync("alice", default);
        var audit = bff.Services.GetRequiredService<SessionAudit>();
        var statistics = bff.Services.GetRequiredService<SessionStatistics>();
        var refreshesBefore = statistics.Refreshes;
        for (var i = 0; i < 60; i++)
        {
            audit.RecordRefreshed(sessions[0]);
        }

        // A refresh written to the trail before this rule (a Redis list outlives a deployment) is not shown either.
        await bff.Services.GetRequiredService<IAuditTrail>().AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.Refreshed, At = bff.Time.GetUtcNow(), Subject = "alice", SessionId = sessions[0].PublicId,
        }, default);
        using (var ended = await bff.SendAsync(HttpMethod.Delete, "/bff/sessions/others", laptop))
        {
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        }

        using var events = await bff.SendAsync(HttpMethod.Get, "/bff/sessions/events", laptop);
        var kinds = (await JsonAsync(events)).EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();

        Assert.Equal(["ended", "created", "created"], kinds);
        // Still counted (and logged, event 9002).
        Assert.Equal(refreshesBefore + 60, statistics.Refreshes);
    }

    [Theory]
    [InlineData("/bff/user")]
    [InlineData("/bff/sessions")]
    [InlineData("/bff/sessions/events")]
    public async Task Opening_an_api_endpoint_in_the_address_bar_gets_a_readable_page(string path)
    {
        await using var bff = await InProcessBff.StartAsync();
        var cookie = await bff.SignInAsync();

        using var response = await bff.SendAsync(HttpMethod.Get, path, cookie, antiforgery: false, configure: request =>
        {
            request.Headers.Add("Sec-Fetch-Mode", "navigate");
            request.Headers.Add("Accept", "text/html,application/xhtml+xml");
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>This address is not a page</title>", html);
        Assert.Contains("href=\"/\"", html);
        Assert.DoesNotContain("\\u0027", html);
    }
}
