using System.Net;
using System.Text.Json;

namespace Bff.Tests.Integration;

/// <summary>
/// Session fixation and re-login, as an attacker tries them: every sign-in must start a new session and end the
/// one the browser's cookie named. Run against in-memory sessions and against Redis.
/// </summary>
internal static class SignInReplacementScenarios
{
    /// <summary>
    /// Mallory signs in as herself and plants her session cookie in the victim's browser; the victim signs in.
    /// Mallory's copy of the cookie must not become the victim's session.
    /// </summary>
    public static async Task PlantedCookieDoesNotSurviveTheVictimsSignIn(TestStack stack, string attackerLogin, string victimLogin, int victimInstance = 0)
    {
        using var attacker = stack.NewBrowser();
        await attacker.SignInAsync(attackerLogin);
        var planted = attacker.SessionCookie!;

        using var victim = stack.NewBrowser(victimInstance);
        victim.Cookies.Add(new Cookie(planted.Name, planted.Value, "/", planted.Domain));
        await victim.SignInAsync(victimLogin);

        Assert.NotEqual(planted.Value, victim.SessionCookie!.Value);
        Assert.Equal(victimLogin, (await victim.UserAsync())["sub"].GetString());

        // The planted cookie's session was ended by the victim's sign-in: the attacker is signed out, not the victim.
        using var user = await attacker.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        var problem = await ProblemAsync(user);
        Assert.Equal("session_ended", problem.GetProperty("code").GetString());
        Assert.Contains("new sign-in", problem.GetProperty("detail").GetString());
        using var api = await attacker.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

        // The victim's sessions are the victim's alone.
        var sessions = (await victim.GetJsonAsync("/bff/sessions")).EnumerateArray().ToList();
        Assert.Single(sessions);
        Assert.Equal(victimLogin, (await victim.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
    }

    /// <summary>A second sign-in over a live session replaces it: new key, the old cookie dead, the end and the new start audited.</summary>
    public static async Task ReLoginReplacesTheLiveSession(TestStack stack, string login, int secondInstance = 0)
    {
        using var browser = stack.NewBrowser();
        await browser.SignInAsync(login);
        var before = browser.SessionCookie!;
        var firstId = (await browser.GetJsonAsync("/bff/sessions")).EnumerateArray().Single().GetProperty("id").GetString();

        browser.BffUrl = stack.BffUrlOf(secondInstance);
        await browser.SignInAsync(login);
        var after = browser.SessionCookie!;
        Assert.NotEqual(before.Value, after.Value);

        using var stale = stack.NewBrowser();
        stale.Cookies.Add(new Cookie(before.Name, before.Value, "/", before.Domain));
        using var refused = await stale.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var sessions = (await browser.GetJsonAsync("/bff/sessions")).EnumerateArray().ToList();
        var current = Assert.Single(sessions);
        Assert.NotEqual(firstId, current.GetProperty("id").GetString());

        var events = (await browser.GetJsonAsync("/bff/sessions/events")).EnumerateArray().ToList();
        Assert.Equal(2, events.Count(e => e.GetProperty("kind").GetString() == "created"));
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "ended" &&
                                     e.GetProperty("sessionId").GetString() == firstId &&
                                     e.GetProperty("reason").GetString() == "Replaced");
    }

    /// <summary>
    /// A second sign-in whose callback comes without the session cookie (the provider is another site, and the cookie
    /// is <c>SameSite=Strict</c>) still ends the session the browser held when it started signing in.
    /// </summary>
    public static async Task ReLoginWithoutTheCookieOnTheCallbackReplacesTheLiveSession(TestStack stack, string login)
    {
        using var browser = stack.NewBrowser();
        await browser.SignInAsync(login);
        var before = browser.SessionCookie!;

        // /bff/login is same-origin: the cookie comes with it. The browser then leaves for the provider.
        using var start = await browser.GetAsync("/bff/login", antiforgery: false);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        before.Expired = true;
        var page = await browser.NavigateAsync(start.Headers.Location!.ToString());
        if (page.Form() is { } loginForm && loginForm.Fields.ContainsKey("login"))
        {
            loginForm.Fields["login"] = login;
            loginForm.Fields["password"] = "any-password";
            page = await browser.NavigateAsync(loginForm.Action.ToString(), HttpMethod.Post, loginForm.Fields);
        }

        Assert.StartsWith(stack.BffUrlOf(0), page.Url.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(before.Value, browser.SessionCookie!.Value);

        using var stale = stack.NewBrowser();
        stale.Cookies.Add(new Cookie(before.Name, before.Value, "/", before.Domain));
        using var refused = await stale.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("session_ended", (await ProblemAsync(refused)).GetProperty("code").GetString());
        Assert.Single((await browser.GetJsonAsync("/bff/sessions")).EnumerateArray());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
