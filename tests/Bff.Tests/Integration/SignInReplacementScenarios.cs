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

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
