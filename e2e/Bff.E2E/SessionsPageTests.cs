using Bff.Testing;
using Microsoft.Playwright;

namespace Bff.E2E;

/// <summary>
/// The Sessions page in a real browser (Debian's Chromium through Playwright): one user in two browser
/// contexts; the first ends the second, and the second learns it on its next action.
/// </summary>
public sealed class SessionsPageTests(BrowserStackFixture fixture) : IClassFixture<BrowserStackFixture>
{
    private TestStack Stack => fixture.Stack;

    private async Task<IPage> SignedInPageAsync(string login)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByTestId("sign-in").ClickAsync();

        // The development identity provider's login form: any name, any password.
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();

        await page.WaitForURLAsync(Stack.BffUrl + "/");
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync(login);
        return page;
    }

    [Fact]
    public async Task Ending_anotherBrowser_from_the_sessions_page_shows_it_session_ended_on_its_next_action()
    {
        var first = await SignedInPageAsync("e2e-sessions");
        var second = await SignedInPageAsync("e2e-sessions");

        await first.GetByTestId("manage-sessions").ClickAsync();
        await first.WaitForURLAsync(Stack.BffUrl + "/sessions");
        var rows = first.GetByTestId("session-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(first.GetByTestId("session-current")).ToHaveCountAsync(1);

        var other = rows.Filter(new LocatorFilterOptions { HasNot = first.GetByTestId("session-current") });
        await Assertions.Expect(other.GetByTestId("session-device")).ToContainTextAsync("Chrome");
        await other.GetByTestId("session-sign-out").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(first.GetByTestId("event-row").First).ToContainTextAsync("signed out from another session");

        // The second browser still shows its old page; its next action finds the session gone.
        await second.GetByTestId("call-api").ClickAsync();
        var ended = second.GetByTestId("session-ended");
        await Assertions.Expect(ended).ToBeVisibleAsync();
        await Assertions.Expect(ended).ToContainTextAsync("Your session has ended");
        await Assertions.Expect(second.GetByTestId("session-ended-detail")).ToContainTextAsync("signed out from another of your sessions");
        await Assertions.Expect(second.GetByTestId("sign-in")).ToBeVisibleAsync();
        Assert.Equal(Stack.BffUrl + "/", second.Url);

        // The first browser is still signed in.
        await first.ReloadAsync();
        await Assertions.Expect(first.GetByTestId("user-name")).ToHaveTextAsync("e2e-sessions");
    }

    [Fact]
    public async Task Sign_out_everywhere_signs_out_bothBrowsers()
    {
        var first = await SignedInPageAsync("e2e-everywhere");
        var second = await SignedInPageAsync("e2e-everywhere");

        await first.GotoAsync("/sessions");
        await Assertions.Expect(first.GetByTestId("session-row")).ToHaveCountAsync(2);
        await first.GetByTestId("sign-out-everywhere").ClickAsync();
        await Assertions.Expect(first.GetByTestId("confirm")).ToContainTextAsync("this browser included");
        await first.GetByTestId("confirm-yes").ClickAsync();
        await Assertions.Expect(first.GetByTestId("session-ended")).ToContainTextAsync("You signed out everywhere.");

        await second.ReloadAsync();
        await Assertions.Expect(second.GetByTestId("session-ended-detail")).ToContainTextAsync("signed out everywhere");
        await Assertions.Expect(second.GetByTestId("sign-in")).ToBeVisibleAsync();
    }
}
