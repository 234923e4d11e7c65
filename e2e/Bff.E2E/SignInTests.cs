using System.Runtime.CompilerServices;
using Bff.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bff.E2E;

/// <summary>The SPA in Debian's Chromium against the real BFF, identity provider and API.</summary>
public sealed class SignInTests(BrowserStackFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserStackFixture>
{
    private string BffUrl => fixture.Stack.BffUrl;

    [Fact]
    public Task Anonymous_visitor_sees_the_signed_out_state() => WithPageAsync(async spa =>
    {
        await spa.OpenAsync();

        await Expect(spa.SignedOutHeading).ToBeVisibleAsync();
        await Expect(spa.SignInButton).ToBeVisibleAsync();
        await Expect(spa.UserName).ToHaveCountAsync(0);
        Assert.Equal(401, await spa.FetchStatusAsync("/bff/user"));
        Assert.Empty(spa.BlockedRequests); // the SPA loads nothing from other origins
    });

    [Fact]
    public Task Sign_in_call_the_api_and_sign_out() => WithPageAsync(async spa =>
    {
        await spa.OpenAsync();

        await spa.SignInButton.ClickAsync();
        await Expect(spa.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + fixture.Stack.Idp.Authority + "/"));
        await spa.FillProviderLoginAsync("e2e-alice", "any-password");

        await Expect(spa.UserName).ToHaveTextAsync("e2e-alice");
        Assert.Equal(BffUrl + "/", spa.Page.Url);

        await spa.CallApiButton.ClickAsync();
        await Expect(spa.ApiSubject).ToHaveTextAsync("e2e-alice");
        await Expect(spa.ApiResult).ToContainTextAsync("\"client_id\": \"bff\"");

        await spa.SignOutButton.ClickAsync();
        await Expect(spa.SignedOutHeading).ToBeVisibleAsync();
        Assert.StartsWith(BffUrl + "/", spa.Page.Url, StringComparison.Ordinal);
        await Expect(spa.UserName).ToHaveCountAsync(0);
        Assert.Equal(401, await spa.FetchStatusAsync("/bff/user"));
        Assert.Equal(401, await spa.FetchStatusAsync("/api/whoami"));

        // The provider's session ended too: signing in again asks for credentials.
        await spa.SignInButton.ClickAsync();
        await Expect(spa.Page.Locator("input[name='login']")).ToBeVisibleAsync();
    });

    [Fact]
    public Task Session_cookie_is_http_only_and_invisible_to_scripts() => WithPageAsync(async spa =>
    {
        await spa.OpenAsync();
        var callback = spa.Page.WaitForResponseAsync(r => r.Url.StartsWith(BffUrl + "/signin-oidc", StringComparison.Ordinal));
        await spa.SignInAsync("e2e-bob");
        var setCookie = (await (await callback).HeaderValuesAsync("set-cookie")).Single(h => h.StartsWith("bff=", StringComparison.Ordinal));

        var documentCookie = await spa.DocumentCookieAsync();
        var cookies = await spa.Page.Context.CookiesAsync([BffUrl]);
        var session = Assert.Single(cookies, c => c.Name == "bff");

        Assert.DoesNotContain("bff=", documentCookie, StringComparison.Ordinal);
        Assert.DoesNotContain(session.Value, documentCookie, StringComparison.Ordinal);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/", session.Path);
        Assert.False(TokenShapes.ContainsJwt(session.Value));
        Assert.InRange(session.Value.Length, 1, 200);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        output.WriteLine($"Session cookie: value {session.Value.Length} bytes; sent as 'bff=<value>' {session.Name.Length + 1 + session.Value.Length} bytes; Set-Cookie header value {setCookie.Length} bytes: {setCookie.Replace(session.Value, "<value>")}");

        // Scripts get no token from the page either: the user endpoint lists claims, never tokens.
        var user = await spa.Page.EvaluateAsync<string>("async () => await (await fetch('/bff/user', { headers: { 'X-CSRF': '1' } })).text()");
        Assert.Contains("e2e-bob", user, StringComparison.Ordinal);
        Assert.False(TokenShapes.ContainsJwt(user), user);
    });

    [Fact]
    public Task Api_calls_from_the_page_need_the_antiforgery_header() => WithPageAsync(async spa =>
    {
        await spa.OpenAsync();
        await spa.SignInAsync("e2e-carol");

        Assert.Equal(401, await spa.FetchStatusAsync("/api/whoami", antiforgery: false));
        Assert.Equal(200, await spa.FetchStatusAsync("/api/whoami"));
        await Expect(spa.UserName).ToHaveTextAsync("e2e-carol");
    });

    [Fact]
    public Task Reload_keeps_the_user_signed_in() => WithPageAsync(async spa =>
    {
        await spa.OpenAsync();
        await spa.SignInAsync("e2e-dave");

        await spa.Page.ReloadAsync();

        await Expect(spa.UserName).ToHaveTextAsync("e2e-dave");
        await Expect(spa.Page.GetByTestId("session-expires")).ToBeVisibleAsync();
    });

    private Task WithPageAsync(Func<SpaPage, Task> test, [CallerMemberName] string name = "") =>
        fixture.WithPageAsync(output, test, name);
}
