using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Integration;

/// <summary>The foundation slice over real Kestrel, the real identity provider and the demo API.</summary>
public sealed class SignInFlowTests(StackFixture fixture) : IClassFixture<StackFixture>
{
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Sign_in_then_user_endpoint_lists_claims_and_session_facts()
    {
        using var browser = Stack.NewBrowser();
        var landed = await browser.SignInAsync("alice", "/after-login");

        Assert.Equal("/after-login", landed.Url.AbsolutePath);
        var user = await browser.UserAsync();
        Assert.Equal("alice", user["sub"].GetString());
        Assert.Equal("alice", user["name"].GetString());
        Assert.InRange(user["bff:session_expires_in"].GetInt64(), 1, 15 * 60);
        Assert.StartsWith("/bff/logout?sid=", user["bff:logout_url"].GetString());
        Assert.DoesNotContain(user.Keys, k => k.Contains("token", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_stored_ticket_holds_the_tokens_and_not_what_only_the_sign_in_needed()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("ticket-contents");

        var services = Stack.BffServices();
        var store = services.GetRequiredService<ISessionStore>();
        var session = await store.GetAsync(Assert.Single(await store.GetBySubjectAsync("ticket-contents", CancellationToken.None)).Id, CancellationToken.None);
        var properties = services.GetRequiredService<SessionTicketProtector>().Unprotect(session!.Ticket, session.Id)!.Properties;

        Assert.NotNull(properties.GetTokenValue(SessionTokens.AccessTokenName));
        Assert.NotNull(properties.GetTokenValue(SessionTokens.RefreshTokenName));
        Assert.NotNull(properties.GetTokenValue(SessionTokens.IdTokenName));
        Assert.DoesNotContain(properties.Items.Keys, key => key.StartsWith("OpenIdConnect.", StringComparison.Ordinal) || key == ".redirect");
        // The sign-in's own bookkeeping (nonce, prompt, passed-through parameters) stays out; the session's binding is in.
        Assert.Equal(["bff.session"], properties.Items.Keys.Where(key => key.StartsWith("bff.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_authorize_request_is_pushed_so_the_redirect_carries_only_client_id_and_request_uri()
    {
        using var browser = Stack.NewBrowser();

        using var login = await browser.GetAsync("/bff/login?prompt=login", antiforgery: false);

        var location = login.Headers.Location!;
        Assert.StartsWith(Stack.Idp.Authority + "/auth?", location.ToString());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(["client_id", "request_uri"], query.Keys.Order().ToArray());
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", query["request_uri"].ToString());
    }

    [Fact]
    public async Task Prompt_login_passes_through_and_asks_for_credentials_again()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("kate");

        var page = await browser.NavigateAsync("/bff/login?prompt=login");

        Assert.True(page.Form()?.Fields.ContainsKey("login"), "the provider should ask for credentials again");
    }

    [Fact]
    public async Task Session_cookie_is_small_http_only_and_carries_no_token()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("bob");

        var cookies = browser.Cookies.GetAllCookies().ToList();
        var session = Assert.Single(cookies, c => c.Name == "bff");
        Assert.True(session.HttpOnly);
        Assert.Equal("/", session.Path);
        Assert.InRange(session.Value.Length, 1, 200);
        Assert.False(TokenShapes.ContainsJwt(session.Value));
    }

    [Fact]
    public async Task Proxied_call_carries_the_users_token_and_no_cookie()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("carol");

        var whoami = await browser.GetJsonAsync("/api/whoami");
        Assert.Equal("carol", whoami.GetProperty("sub").GetString());
        Assert.Equal("bff", whoami.GetProperty("client_id").GetString());

        var echo = await browser.GetJsonAsync("/api/echo");
        var headers = echo.GetProperty("headers").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.DoesNotContain("cookie", headers);
        Assert.Contains("authorization", headers);
        Assert.Equal("Bearer", echo.GetProperty("authorizationScheme").GetString());
    }

    [Fact]
    public async Task Forwarded_headers_are_replaced_not_appended_and_client_written_ones_are_dropped()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("dave");

        var echo = await EchoAsync(browser,
            ("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "https"),
            ("Forwarded", "for=6.6.6.6;host=evil.example;proto=https"), ("X-Real-IP", "6.6.6.6"), ("X-Original-Host", "evil.example"));
        var forwarded = echo.GetProperty("forwarded");

        Assert.DoesNotContain("6.6.6.6", forwarded.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("http", forwarded.GetProperty("x-forwarded-proto").GetString());
        // No trusted proxy and no Bff:ForwardedHost: the client's own Host is not vouched for to the API.
        Assert.False(forwarded.TryGetProperty("x-forwarded-host", out _));
        var headers = echo.GetProperty("headers").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.DoesNotContain("forwarded", headers);
        Assert.DoesNotContain("x-real-ip", headers);
        Assert.DoesNotContain("x-original-host", headers);
    }

    // Method-override middlewares and IIS/PHP URL rewriting would act on another method or path than the route
    // matched, with the user's token attached.
    [Fact]
    public async Task Method_and_url_override_headers_are_not_forwarded()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("erin");

        var echo = await EchoAsync(browser,
            ("X-HTTP-Method-Override", "DELETE"), ("X-HTTP-Method", "DELETE"), ("X-Method-Override", "DELETE"),
            ("X-Original-URL", "/admin/users"), ("X-Rewrite-URL", "/admin/users"), ("X-Kept", "yes"));

        var headers = echo.GetProperty("headers").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.Contains("x-kept", headers);
        foreach (var dropped in new[] { "x-http-method-override", "x-http-method", "x-method-override", "x-original-url", "x-rewrite-url" })
        {
            Assert.DoesNotContain(dropped, headers);
        }
    }

    /// <summary>What the demo API's echo saw of a proxied call carrying these extra headers.</summary>
    private static async Task<JsonElement> EchoAsync(BrowserClient browser, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo");
        request.Headers.Add("X-CSRF", "1");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await browser.SendRawAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Incoming_authorization_header_is_not_forwarded_on_anonymous_routes()
    {
        using var browser = Stack.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/open-api/echo");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("Authorization", "Bearer smuggled");
        using var response = await browser.SendRawAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.DoesNotContain("authorization", echo.GetProperty("headers").EnumerateArray().Select(h => h.GetString()));
    }

    [Theory]
    [InlineData("/bff/user")]
    [InlineData("/api/whoami")]
    public async Task Missing_antiforgery_header_is_401_problem_even_when_signed_in(string path)
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("erin");

        using var response = await browser.GetAsync(path, antiforgery: false);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("antiforgery_header_missing", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/bff/user")]
    [InlineData("/api/whoami")]
    public async Task Anonymous_api_calls_get_401_problem_not_a_redirect(string path)
    {
        using var browser = Stack.NewBrowser();
        using var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Sign_out_ends_the_session_at_the_bff_and_the_provider()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("frank");
        var oldCookie = browser.SessionCookie!.Value;

        var page = await browser.SignOutAsync("/bye");

        Assert.Equal(new Uri(new Uri(Stack.BffUrl), "/bye"), page.Url);
        Assert.Contains(page.Hops, hop => hop.AbsolutePath.EndsWith("/session/end", StringComparison.Ordinal) || hop.AbsolutePath.Contains("/session/end"));

        using var replay = Stack.NewBrowser();
        replay.Cookies.Add(new Uri(Stack.BffUrl), new Cookie("bff", oldCookie));
        using var response = await replay.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        // The provider session is gone too: signing in again asks for the login form.
        var login = await browser.NavigateAsync("/bff/login");
        Assert.True(login.Form()?.Fields.ContainsKey("login"), "the provider should ask for credentials again");
    }

    [Theory]
    [InlineData("")]
    [InlineData("wrong")]
    public async Task Logout_with_a_missing_or_wrong_sid_is_refused(string sid)
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("gina");

        using var response = await browser.GetAsync($"/bff/logout?sid={sid}", antiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Theory]
    [InlineData("same-site", false)] // a page on a sibling subdomain: the cookie comes along, and some providers share the sid
    [InlineData("cross-site", false)]
    [InlineData("same-origin", true)] // the app's own Sign out button
    [InlineData("none", true)] // typed or bookmarked
    public async Task Logout_is_refused_when_the_browser_says_the_link_was_on_another_origin(string fetchSite, bool signsOut)
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("gina");
        var logoutUrl = (await browser.UserAsync())["bff:logout_url"].GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Get, logoutUrl);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
        using var response = await browser.SendRawAsync(request);

        Assert.Equal(signsOut ? HttpStatusCode.Redirect : HttpStatusCode.BadRequest, response.StatusCode);
        using var user = await browser.GetAsync("/bff/user");
        Assert.Equal(signsOut ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, user.StatusCode);
    }

    [Fact]
    public async Task A_finished_sign_in_clears_the_cookies_of_the_sign_ins_left_unfinished()
    {
        using var browser = Stack.NewBrowser();
        for (var i = 0; i < 2; i++)
        {
            // Started, then abandoned at the provider's login form.
            var form = (await browser.NavigateAsync("/bff/login")).Form();
            Assert.True(form?.Fields.ContainsKey("login"));
        }

        Assert.Equal(4, PendingSignInCookies(browser).Count);
        await browser.SignInAsync("frieda");

        Assert.Empty(PendingSignInCookies(browser));
    }

    [Fact]
    public async Task A_sign_in_started_over_several_unfinished_ones_clears_them_first()
    {
        // Each unfinished sign-in leaves two cookies for 15 minutes; enough of them make every request too large (431).
        // Over plain HTTP too: the cookies' path is /, so a start sees them.
        using var browser = Stack.NewBrowser();
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await browser.NavigateAsync("/bff/login")).Form()?.Fields.ContainsKey("login"));
        }

        var unfinished = PendingSignInCookies(browser);
        Assert.Equal(6, unfinished.Count);
        Assert.All(unfinished, c => Assert.Equal("/", c.Path));

        Assert.True((await browser.NavigateAsync("/bff/login")).Form()?.Fields.ContainsKey("login"));

        var left = PendingSignInCookies(browser);
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(left, c => unfinished.Any(u => u.Name == c.Name));
    }

    private static List<Cookie> PendingSignInCookies(BrowserClient browser) =>
        browser.Cookies.GetAllCookies().Where(c => !c.Expired && c.Name.StartsWith(".AspNetCore.", StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/caf\u00e9")] // would fail as a Location header after the round trip to the provider
    public async Task Login_refuses_non_local_return_urls(string returnUrl)
    {
        using var browser = Stack.NewBrowser();
        using var response = await browser.GetAsync("/bff/login?returnUrl=" + Uri.EscapeDataString(returnUrl), antiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/caf\u00e9")]
    public async Task Logout_refuses_non_local_return_urls(string returnUrl)
    {
        using var browser = Stack.NewBrowser();
        using var response = await browser.GetAsync("/bff/logout?sid=x&returnUrl=" + Uri.EscapeDataString(returnUrl), antiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Provider_error_in_the_callback_shows_a_readable_400_page()
    {
        using var browser = Stack.NewBrowser();
        var page = await browser.NavigateAsync("/signin-oidc?error=access_denied&state=garbage");

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("text/html", page.MediaType);
        Assert.Contains("Back to the app", page.Body);
    }

    [Fact]
    public async Task Unknown_state_in_the_callback_shows_a_readable_400_page()
    {
        using var browser = Stack.NewBrowser();
        var page = await browser.NavigateAsync("/signin-oidc?code=abc&state=not-a-real-state");

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains("Sign-in failed", page.Body);
    }

    [Fact]
    public async Task Replayed_callback_is_refused_with_a_readable_page()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("hank");
        var callback = browser.LastCallbackUrl ?? throw new InvalidOperationException("no callback seen");

        var replay = await browser.NavigateAsync(callback.ToString());

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Contains("Sign-in failed", replay.Body);
    }

    [Theory]
    [InlineData("/api/..%2fbff/user")]
    [InlineData("/api/x/%2e%2e%2fsecret")]
    [InlineData("/api/x%5c..%5csecret")]
    [InlineData("/api/%2e%2e/open-api/echo")] // resolved by Kestrel to another proxy route: refused on the raw target
    [InlineData("/api/a%2fb")]
    public async Task Proxied_paths_cannot_escape_their_route(string path)
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("ivan");

        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_path", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_reports_the_provider_and_session_statistics()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("health-watcher");

        using var ready = await browser.GetAsync("/health/ready", antiforgery: false);
        var health = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("provider").GetString());
        var sessions = health.GetProperty("data").GetProperty("sessions");
        // The count may be up to ActiveSessionCount.MaxAge old (counted before this sign-in); SessionStatisticsTests checks its value.
        Assert.Equal(JsonValueKind.Number, sessions.GetProperty("active_sessions").ValueKind);
        Assert.InRange(sessions.GetProperty("sign_ins").GetInt64(), 1, long.MaxValue);
    }

    [Fact]
    public async Task No_cors_headers_are_sent_even_for_a_cross_origin_caller()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("judy");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await browser.SendRawAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }
}
