using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Integration;

/// <summary>Users seeing and ending their sessions, and back-channel logout, over the real stack.</summary>
public sealed class SessionManagementTests(SessionsStackFixture fixture) : IClassFixture<SessionsStackFixture>
{
    private TestStack Stack => fixture.Stack;

    private static async Task<JsonElement[]> SessionsAsync(BrowserClient browser) =>
        (await browser.GetJsonAsync("/bff/sessions")).EnumerateArray().ToArray();

    private static async Task<string> CurrentIdAsync(BrowserClient browser) =>
        (await SessionsAsync(browser)).Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Two_clients_of_one_user_see_each_other()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        await laptop.SignInAsync("sam");
        await phone.SignInAsync("sam");

        var fromLaptop = await SessionsAsync(laptop);
        var fromPhone = await SessionsAsync(phone);

        Assert.Equal(2, fromLaptop.Length);
        Assert.Equal(fromLaptop.Select(s => s.GetProperty("id").GetString()).Order(), fromPhone.Select(s => s.GetProperty("id").GetString()).Order());
        Assert.Single(fromLaptop, s => s.GetProperty("current").GetBoolean());
        Assert.NotEqual(await CurrentIdAsync(laptop), await CurrentIdAsync(phone));

        var session = fromLaptop[0];
        Assert.Equal("127.0.0.1", session.GetProperty("ipAddress").GetString());
        Assert.False(string.IsNullOrEmpty(session.GetProperty("providerSessionId").GetString()));
        Assert.True(session.GetProperty("expiresAt").GetDateTimeOffset() > session.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(session.TryGetProperty("lastActivityAt", out _));
        Assert.True(session.TryGetProperty("device", out _));
        // Nothing in the list works as a cookie or names the storage key.
        Assert.DoesNotContain(laptop.SessionCookie!.Value, JsonSerializer.Serialize(fromLaptop));
    }

    [Fact]
    public async Task Ending_another_session_makes_its_next_call_401_with_the_reason()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        await laptop.SignInAsync("tess");
        await phone.SignInAsync("tess");
        var phoneId = await CurrentIdAsync(phone);

        using var ended = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/" + phoneId);
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);

        // Loading the SPA's pages does not use up the reason.
        (await phone.GetAsync("/sessions", antiforgery: false)).Dispose();

        using var next = await phone.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
        var problem = await ProblemAsync(next);
        Assert.Equal("session_ended", problem.GetProperty("code").GetString());
        Assert.Contains("another of your sessions", problem.GetProperty("detail").GetString());

        // Told once; then simply signed out.
        using var again = await phone.GetAsync("/bff/user");
        Assert.Equal("not_authenticated", (await ProblemAsync(again)).GetProperty("code").GetString());

        Assert.Single(await SessionsAsync(laptop));
        var events = (await laptop.GetJsonAsync("/bff/sessions/events")).EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "ended" &&
                                     e.GetProperty("sessionId").GetString() == phoneId &&
                                     e.GetProperty("reason").GetString() == "EndedFromOtherSession");
        Assert.Equal(2, events.Count(e => e.GetProperty("kind").GetString() == "created"));
    }

    // A browser's provider session (sid) can hold more than one session here: one whose cookie the browser lost, and the
    // one it signed in to after by single sign-on (or one a sign-in under way saved while that device was ended). Ending
    // that device ends each of them; this browser's own session stays.
    [Fact]
    public async Task Ending_another_device_ends_every_session_of_its_provider_session()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        await laptop.SignInAsync("wynn");
        await phone.SignInAsync("wynn");
        phone.DropSessionCookie();
        await phone.SignInAsync("wynn");
        Assert.Equal(3, (await SessionsAsync(laptop)).Length);

        using var ended = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/" + await CurrentIdAsync(phone));
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);

        var left = Assert.Single(await SessionsAsync(laptop));
        Assert.True(left.GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task A_user_cannot_end_or_see_another_users_session()
    {
        using var alice = Stack.NewBrowser();
        using var mallory = Stack.NewBrowser();
        await alice.SignInAsync("uma");
        await mallory.SignInAsync("victor");
        var aliceId = await CurrentIdAsync(alice);

        using var refused = await mallory.SendAsync(HttpMethod.Delete, "/bff/sessions/" + aliceId);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not_found", (await ProblemAsync(refused)).GetProperty("code").GetString());

        using var unknown = await mallory.SendAsync(HttpMethod.Delete, "/bff/sessions/no-such-id");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        Assert.Single(await SessionsAsync(mallory));
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/bff/user")).StatusCode);
        Assert.DoesNotContain((await mallory.GetJsonAsync("/bff/sessions/events")).EnumerateArray(),
            e => e.GetProperty("sessionId").GetString() == aliceId);
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_every_session_of_the_user_only()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        using var other = Stack.NewBrowser();
        await laptop.SignInAsync("wanda");
        await phone.SignInAsync("wanda");
        await other.SignInAsync("xena");

        using var everywhere = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions");
        Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.GetAsync("/bff/user")).StatusCode);
        using var phoneNext = await phone.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, phoneNext.StatusCode);
        Assert.Contains("everywhere", (await ProblemAsync(phoneNext)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/bff/user")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/bff/sessions")]
    [InlineData("GET", "/bff/sessions/events")]
    [InlineData("DELETE", "/bff/sessions")]
    [InlineData("DELETE", "/bff/sessions/some-id")]
    public async Task Session_endpoints_require_the_antiforgery_header(string method, string path)
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("yara-" + Guid.NewGuid().ToString("N")[..8]);

        using var response = await browser.SendAsync(new HttpMethod(method), path, antiforgery: false);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("antiforgery_header_missing", (await ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Single(await SessionsAsync(browser));
    }

    [Fact]
    public async Task Signing_out_at_the_provider_ends_the_bff_sessions_through_the_back_channel()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        using var bystander = Stack.NewBrowser();
        await laptop.SignInAsync("zack");
        await phone.SignInAsync("zack");
        await bystander.SignInAsync("zoe");

        var result = await Stack.Idp.EndSessionsAsync("zack");
        Assert.Equal(2, result.GetProperty("backchannel").GetProperty("success").GetInt32());

        using var next = await laptop.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
        Assert.Contains("identity provider", (await ProblemAsync(next)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task A_replayed_logout_token_is_refused()
    {
        using var first = Stack.NewBrowser();
        await first.SignInAsync("amos");
        fixture.LogoutTokens.Clear();
        await Stack.Idp.EndSessionsAsync("amos");
        var genuine = Assert.Single(fixture.LogoutTokens);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/bff/user")).StatusCode);

        using var again = Stack.NewBrowser();
        await again.SignInAsync("amos");
        using var replay = await PostLogoutTokenAsync(genuine);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("already used", await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/bff/user")).StatusCode);
    }

    public static TheoryData<string> ForgedTokenKinds => ["bad signature", "wrong aud", "missing events", "with nonce", "alg none", "not a jwt"];

    [Theory]
    [MemberData(nameof(ForgedTokenKinds))]
    public async Task Forged_logout_tokens_are_400_and_end_nothing(string kind)
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("bea");
        var sid = (await SessionsAsync(browser))[0].GetProperty("providerSessionId").GetString()!;

        using var response = await PostLogoutTokenAsync(await ForgeAsync(kind, "bea", sid));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("invalid_request", (await ProblemAsync(response)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task Back_channel_without_a_token_is_400_and_needs_no_antiforgery_header()
    {
        using var browser = Stack.NewBrowser();
        using var response = await browser.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
            content: new FormUrlEncodedContent([new("other", "x")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Security_headers_on_the_spa_the_bff_and_the_api()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("cleo");

        using var page = await browser.GetAsync("/", antiforgery: false);
        Assert.Contains("frame-ancestors 'none'", string.Join(",", page.Headers.GetValues("Content-Security-Policy")));
        Assert.True(page.Headers.CacheControl?.NoStore);

        foreach (var path in new[] { "/bff/user", "/api/whoami" })
        {
            using var response = await browser.GetAsync(path);
            Assert.True(response.Headers.CacheControl?.NoStore, path);
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        }
    }

    private async Task<HttpResponseMessage> PostLogoutTokenAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Stack.BffUrl) };
        return await http.PostAsync("/bff/backchannel", new FormUrlEncodedContent([new("logout_token", token)]));
    }

    private static readonly RSA ForgerRsa = RSA.Create(2048);

    /// <summary>
    /// Tokens an attacker can make: signed with their own key (the provider's is out of reach) under the kid of the
    /// provider's published key, or not signed at all. (A kid the provider does not publish may be one it has just
    /// rotated in, so that is answered 503 within the keys' re-read floor: see BackChannelLogoutRetryTests.)
    /// </summary>
    private async Task<string> ForgeAsync(string kind, string sub, string sid)
    {
        using var http = new HttpClient();
        using var jwks = JsonDocument.Parse(await http.GetStringAsync(Stack.Idp.Authority + "/jwks"));
        var kid = jwks.RootElement.GetProperty("keys").EnumerateArray()
            .First(k => k.GetProperty("kty").GetString() == "RSA").GetProperty("kid").GetString();
        var forgerKey = new RsaSecurityKey(ForgerRsa) { KeyId = kid };

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Stack.Idp.Authority,
            ["aud"] = IdentityProvider.ClientId,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sub"] = sub,
            ["sid"] = sid,
            ["events"] = new Dictionary<string, object> { ["http://schemas.openid.net/event/backchannel-logout"] = new Dictionary<string, object>() },
        };

        switch (kind)
        {
            case "wrong aud": claims["aud"] = "another-client"; break;
            case "missing events": claims.Remove("events"); break;
            case "with nonce": claims["nonce"] = "abc"; break;
            case "not a jwt": return "not-a-jwt";
        }

        var descriptor = new SecurityTokenDescriptor { Claims = claims, TokenType = "logout+jwt" };
        if (kind != "alg none")
        {
            descriptor.SigningCredentials = new SigningCredentials(forgerKey, SecurityAlgorithms.RsaSha256);
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
