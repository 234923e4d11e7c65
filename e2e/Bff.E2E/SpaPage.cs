using Microsoft.Playwright;

namespace Bff.E2E;

/// <summary>The SPA and the identity provider's pages, as a person uses them: by what they show.</summary>
public sealed class SpaPage(IPage page, IReadOnlyList<string> blockedRequests)
{
    public IPage Page => page;

    /// <summary>Requests the pages tried to send off loopback (aborted).</summary>
    public IReadOnlyList<string> BlockedRequests => blockedRequests;

    public ILocator SignInButton => page.GetByTestId("sign-in");

    public ILocator SignOutButton => page.GetByTestId("sign-out");

    public ILocator UserName => page.GetByTestId("user-name");

    public ILocator CallApiButton => page.GetByTestId("call-api");

    public ILocator ApiSubject => page.GetByTestId("api-sub");

    public ILocator ApiResult => page.GetByTestId("api-result");

    public ILocator SignedOutHeading => page.GetByRole(AriaRole.Heading, new() { Name = "You are not signed in" });

    public async Task OpenAsync(string path = "/")
    {
        await page.GotoAsync(path);
        await Assertions.Expect(page.GetByTestId("loading")).ToHaveCountAsync(0);
    }

    /// <summary>Clicks Sign in, fills the provider's login form and waits until the SPA shows the user.</summary>
    public async Task SignInAsync(string login, string password = "any-password")
    {
        await SignInButton.ClickAsync();
        await FillProviderLoginAsync(login, password);
        await Assertions.Expect(UserName).ToBeVisibleAsync();
    }

    public async Task FillProviderLoginAsync(string login, string password)
    {
        var loginField = page.Locator("input[name='login']");
        await loginField.WaitForAsync();
        await loginField.FillAsync(login);
        await page.Locator("input[name='password']").FillAsync(password);
        await page.Locator("button[type='submit']").ClickAsync();
    }

    /// <summary>What a script on the page can read of the cookies.</summary>
    public Task<string> DocumentCookieAsync() => page.EvaluateAsync<string>("() => document.cookie");

    /// <summary>Calls a BFF endpoint from the page, as the SPA would, and returns the status code.</summary>
    public Task<int> FetchStatusAsync(string path, bool antiforgery = true) =>
        page.EvaluateAsync<int>(
            "async ([path, csrf]) => (await fetch(path, { credentials: 'same-origin', headers: csrf ? { 'X-CSRF': '1' } : {} })).status",
            new object[] { path, antiforgery });
}
