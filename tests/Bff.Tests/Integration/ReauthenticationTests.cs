using System.Net;
using System.Text.Json;

namespace Bff.Tests.Integration;

/// <summary>
/// Over the real stack (node oidc-provider, Kestrel): a browser whose session was ended from elsewhere is sent to
/// the provider with <c>prompt=login</c>, and the provider really asks again although its own session is alive.
/// </summary>
public sealed class ReauthenticationTests(SessionsStackFixture fixture) : IClassFixture<SessionsStackFixture>
{
    private TestStack Stack => fixture.Stack;

    private static async Task<string> CurrentIdAsync(BrowserClient browser) =>
        (await browser.GetJsonAsync("/bff/sessions")).EnumerateArray()
            .Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;

    /// <summary>The <c>prompt</c> of the authorization request <c>/bff/login</c> sends this browser with (pushed or not), if any.</summary>
    private async Task<string?> PromptAsync(BrowserClient browser)
    {
        using var login = await browser.GetAsync("/bff/login?returnUrl=%2F", antiforgery: false);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.StartsWith(Stack.Idp.Authority, login.Headers.Location!.ToString(), StringComparison.Ordinal);
        return (await Stack.Idp.AuthorizeParametersAsync(login.Headers.Location)).GetValueOrDefault("prompt");
    }

    [Fact]
    public async Task Ended_from_another_session_the_provider_asks_for_the_password_again()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        await laptop.SignInAsync("rhea");
        await phone.SignInAsync("rhea");
        Assert.Null(await PromptAsync(laptop));

        using var ended = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/" + await CurrentIdAsync(phone));
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);

        Assert.Equal("login", await PromptAsync(phone));

        // Without prompt=login the provider's live session would sign the phone straight back in.
        var page = await phone.NavigateAsync("/bff/login?returnUrl=%2F");
        Assert.StartsWith(Stack.Idp.Authority, page.Url.ToString(), StringComparison.Ordinal);
        Assert.True(page.Form()?.Fields.ContainsKey("login"), "the provider shows its login form");

        // Signing in again gives a working session, and the next sign-in is ordinary again. Asked to, the provider said
        // when the password was given (auth_time): just now, which is what the callback checked.
        var beforeSignIn = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await phone.SignInAsync("rhea");
        Assert.InRange(long.Parse((await phone.UserAsync())["auth_time"].GetString()!, System.Globalization.CultureInfo.InvariantCulture), beforeSignIn - 1, beforeSignIn + 60);
        Assert.Null(await PromptAsync(phone));
    }

    [Fact]
    public async Task Back_channel_logout_and_sign_out_of_other_sessions_ask_again_but_the_session_that_asked_does_not()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        using var tablet = Stack.NewBrowser();
        await laptop.SignInAsync("ravi");
        await phone.SignInAsync("ravi");
        await tablet.SignInAsync("ravi");

        using var others = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/others");
        Assert.Equal(HttpStatusCode.NoContent, others.StatusCode);
        Assert.True(others.Headers.TryGetValues("Bff-Session-Expires-In", out var header) && long.Parse(header.Single()) > 0);
        Assert.Equal("login", await PromptAsync(phone));
        Assert.Equal("login", await PromptAsync(tablet));
        Assert.Null(await PromptAsync(laptop));
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/bff/user")).StatusCode);

        await Stack.Idp.EndSessionsAsync("ravi");
        using var next = await laptop.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
        Assert.Contains("identity provider", JsonDocument.Parse(await next.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        Assert.Equal("login", await PromptAsync(laptop));
    }

    // The demand used to travel with the old cookie only: a browser that dropped it (or followed a sign-in link from
    // another site) came straight back in by the provider's single sign-on. The provider session (sid) is remembered too.
    [Fact]
    public async Task A_browser_that_dropped_the_ended_sessions_cookie_is_sent_back_for_the_password_at_the_callback()
    {
        using var laptop = Stack.NewBrowser();
        using var phone = Stack.NewBrowser();
        await laptop.SignInAsync("sofia");
        await phone.SignInAsync("sofia");
        using (var ended = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/" + await CurrentIdAsync(phone)))
        {
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        }

        phone.DropSessionCookie();
        Assert.Null(phone.SessionCookie);
        var page = await phone.NavigateAsync("/bff/login?returnUrl=%2F&login_hint=sofia");

        // Through the provider by single sign-on to the callback, which makes no session and sends the browser back
        // to the provider with prompt=login (the same sign-in otherwise: its login_hint too): its login form.
        var callback = page.Hops.ToList().FindIndex(h => h.AbsolutePath.EndsWith("/signin-oidc", StringComparison.Ordinal));
        Assert.True(callback >= 0, "single sign-on reached the callback: " + string.Join(" -> ", page.Hops));
        var askedAgain = await Stack.Idp.AuthorizeParametersAsync(page.Hops[callback + 1]);
        Assert.Equal("login", askedAgain.GetValueOrDefault("prompt"));
        Assert.Equal("sofia", askedAgain.GetValueOrDefault("login_hint"));
        Assert.StartsWith(Stack.Idp.Authority, page.Url.ToString(), StringComparison.Ordinal);
        Assert.True(page.Form()?.Fields.ContainsKey("login"), "the provider shows its login form");
        Assert.Null(phone.SessionCookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/bff/user")).StatusCode);

        // The password given, the demand is met: a working session, and single sign-on works again afterwards.
        await phone.SignInAsync("sofia");
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/bff/user")).StatusCode);
        phone.DropSessionCookie();
        var again = await phone.NavigateAsync("/bff/login?returnUrl=%2F");
        Assert.StartsWith(Stack.BffUrl, again.Url.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/bff/user")).StatusCode);

        // The laptop, whose session nobody ended, signs in by single sign-on as before.
        laptop.DropSessionCookie();
        var laptopPage = await laptop.NavigateAsync("/bff/login?returnUrl=%2F");
        Assert.StartsWith(Stack.BffUrl, laptopPage.Url.ToString(), StringComparison.Ordinal);
    }
}
