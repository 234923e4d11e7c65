using System.Globalization;
using System.Text.RegularExpressions;
using Bff.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bff.E2E;

/// <summary>
/// Sessions as a person lives them, in Debian's Chromium: ended elsewhere means a password next time, other
/// sessions signed out on request, every tab of a browser in step, readable pages and titles.
/// </summary>
public sealed partial class SessionExperienceTests(BrowserStackFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserStackFixture>
{
    private string BffUrl => fixture.Stack.BffUrl;

    private async Task<SpaPage> SignedInAsync(string login, IBrowserContext? context = null)
    {
        var page = context is null ? await fixture.NewPageAsync() : await context.NewPageAsync();
        var spa = new SpaPage(page, []);
        await spa.OpenAsync();
        await spa.SignInAsync(login);
        await Expect(spa.UserName).ToHaveTextAsync(login);
        return spa;
    }

    /// <summary>In <paramref name="spa"/>'s Sessions page, signs out the one row that is not this browser.</summary>
    private static async Task SignOutOtherDeviceAsync(SpaPage spa)
    {
        await spa.Page.GotoAsync("/sessions");
        var rows = spa.Page.GetByTestId("session-row");
        await Expect(rows).ToHaveCountAsync(2);
        var other = rows.Filter(new LocatorFilterOptions { HasNot = spa.Page.GetByTestId("session-current") });
        await Expect(other.GetByTestId("session-sign-out")).ToHaveTextAsync("Sign out that device");
        await other.GetByTestId("session-sign-out").ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
    }

    /// <summary>The <c>prompt</c> of an authorization request the browser was sent with (the BFF pushes it; the provider tells).</summary>
    private async Task<string?> PromptAsync(string authorizeUrl) =>
        (await fixture.Stack.Idp.AuthorizeParametersAsync(new Uri(authorizeUrl))).GetValueOrDefault("prompt");

    private static Task FocusAsync(SpaPage spa) => spa.Page.EvaluateAsync("() => window.dispatchEvent(new Event('focus'))");

    [Fact]
    public async Task A_browser_signed_out_from_another_must_enter_its_password_again_while_an_ordinary_re_login_uses_single_sign_on()
    {
        var laptop = await SignedInAsync("e2e-reauth");
        var phone = await SignedInAsync("e2e-reauth");
        try
        {
            await SignOutOtherDeviceAsync(laptop);

            await phone.Page.ReloadAsync();
            await Expect(phone.Page.GetByTestId("session-ended-detail")).ToContainTextAsync("signed out from another of your sessions");
            var authorize = await phone.Page.RunAndWaitForRequestAsync(() => phone.SignInButton.ClickAsync(),
                r => r.Url.StartsWith(fixture.Stack.Idp.Authority, StringComparison.Ordinal) && r.Url.Contains("client_id=", StringComparison.Ordinal));
            Assert.Equal("login", await PromptAsync(authorize.Url));
            // The provider's session in that browser is alive, yet it asks for the credentials.
            await Expect(phone.Page.Locator("input[name='login']")).ToBeVisibleAsync();
            await phone.FillProviderLoginAsync("e2e-reauth", "any-password");
            await Expect(phone.UserName).ToHaveTextAsync("e2e-reauth");

            // Control: the laptop loses only its BFF cookie; its sign-in goes straight through the provider's session.
            await laptop.Page.Context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = "bff" });
            await laptop.OpenAsync();
            var again = await laptop.Page.RunAndWaitForRequestAsync(() => laptop.SignInButton.ClickAsync(),
                r => r.Url.StartsWith(fixture.Stack.Idp.Authority, StringComparison.Ordinal) && r.Url.Contains("client_id=", StringComparison.Ordinal));
            Assert.Null(await PromptAsync(again.Url));
            await Expect(laptop.UserName).ToHaveTextAsync("e2e-reauth");
        }
        finally
        {
            await laptop.Page.Context.CloseAsync();
            await phone.Page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Sign_out_all_other_sessions_asks_first_then_keeps_only_this_browser()
    {
        var laptop = await SignedInAsync("e2e-others");
        var phone = await SignedInAsync("e2e-others");
        try
        {
            await laptop.Page.GotoAsync("/sessions");
            await Expect(laptop.Page).ToHaveTitleAsync("Your sessions · BFF Demo");
            await Expect(laptop.Page.GetByTestId("session-row")).ToHaveCountAsync(2);
            await Expect(laptop.Page.GetByTestId("session-current").Locator("xpath=ancestor::li").GetByTestId("session-sign-out"))
                .ToHaveTextAsync("Sign out of this device");

            // On a phone-sized screen each row is two lines (device, then facts) with its button beside them.
            await laptop.Page.SetViewportSizeAsync(360, 740);
            foreach (var row in await laptop.Page.GetByTestId("session-row").AllAsync())
            {
                var lines = await row.EvaluateAsync<double[]>("""
                    r => {
                      const box = e => e.getBoundingClientRect();
                      const lineHeight = parseFloat(getComputedStyle(r).lineHeight);
                      const device = box(r.querySelector('.session-list__device'));
                      const button = box(r.querySelector('button'));
                      const facts = box(r.querySelector('[data-testid=session-facts]'));
                      const padding = parseFloat(getComputedStyle(r).paddingTop) + parseFloat(getComputedStyle(r).paddingBottom);
                      return [lineHeight, Math.abs(device.top - button.top), facts.height, facts.top - device.top,
                              box(r).height - padding, device.height];
                    }
                    """);
                output.WriteLine($"row: line {lines[0]}px, device/button offset {lines[1]}px, facts {lines[2]}px high, {lines[3]}px below, row {lines[4]}px");
                Assert.True(lines[1] < lines[0], "the button starts on the device's line");
                Assert.True(lines[2] < lines[0] * 1.5, "the facts take one line");
                Assert.True(lines[3] > 0, "the facts come second");
                Assert.True(lines[4] < lines[0] * 2.6, $"two lines in all, not {lines[4]}px");
                Assert.True(lines[5] < lines[0] * 1.5, "the device takes one line");
            }

            await laptop.Page.SetViewportSizeAsync(1280, 720);
            await laptop.Page.GetByTestId("sign-out-others").ClickAsync();
            await Expect(laptop.Page.GetByTestId("confirm")).ToContainTextAsync("This browser stays signed in");
            await laptop.Page.GetByTestId("confirm-cancel").ClickAsync();
            await Expect(laptop.Page.GetByTestId("session-row")).ToHaveCountAsync(2);

            await laptop.Page.GetByTestId("sign-out-others").ClickAsync();
            await laptop.Page.GetByTestId("confirm-yes").ClickAsync();
            await Expect(laptop.Page.GetByTestId("session-row")).ToHaveCountAsync(1);
            await Expect(laptop.Page.GetByTestId("session-current")).ToHaveCountAsync(1);
            await Expect(laptop.Page.GetByTestId("event-row").First).ToContainTextAsync("signed out from another session");
            await Expect(laptop.Page.GetByTestId("session-facts")).ToContainTextAsync("this computer");
            await Expect(laptop.Page.GetByTestId("event-list")).Not.ToContainTextAsync("renewed");

            await phone.CallApiButton.ClickAsync();
            await Expect(phone.Page.GetByTestId("session-ended-detail")).ToContainTextAsync("signed out from another of your sessions");

            await laptop.Page.ReloadAsync();
            await Expect(laptop.UserName).ToHaveTextAsync("e2e-others");
        }
        finally
        {
            await laptop.Page.Context.CloseAsync();
            await phone.Page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Tabs_stay_in_step_and_a_tab_that_comes_back_into_view_learns_it_was_signed_out()
    {
        var laptop = await SignedInAsync("e2e-tabs");
        var phone = await SignedInAsync("e2e-tabs");
        var phoneSecondTab = new SpaPage(await phone.Page.Context.NewPageAsync(), []);
        var laptopSecondTab = new SpaPage(await laptop.Page.Context.NewPageAsync(), []);
        try
        {
            await phoneSecondTab.OpenAsync();
            await laptopSecondTab.OpenAsync();
            await Expect(phoneSecondTab.UserName).ToHaveTextAsync("e2e-tabs");
            await Expect(laptopSecondTab.UserName).ToHaveTextAsync("e2e-tabs");

            // Ended from the laptop: the phone's tab learns it when it is looked at again, without a click.
            await SignOutOtherDeviceAsync(laptop);
            await FocusAsync(phone);
            await Expect(phone.Page.GetByTestId("session-ended-detail")).ToContainTextAsync("signed out from another of your sessions");
            // ... and tells the phone's other tab.
            await Expect(phoneSecondTab.SignedOutHeading).ToBeVisibleAsync();

            // Signing out in one laptop tab signs out the other at once.
            await laptop.Page.GotoAsync("/");
            await laptop.SignOutButton.ClickAsync();
            await Expect(laptopSecondTab.SignedOutHeading).ToBeVisibleAsync();
            await Expect(laptopSecondTab.Page.GetByTestId("session-ended-detail")).ToContainTextAsync("signed out in another tab");
        }
        finally
        {
            await laptop.Page.Context.CloseAsync();
            await phone.Page.Context.CloseAsync();
        }
    }

    [Fact]
    public Task Bff_endpoints_opened_in_the_address_bar_titles_and_unknown_routes() => fixture.WithPageAsync(output, async spa =>
    {
        var response = await spa.Page.GotoAsync("/bff/user");
        Assert.Equal(401, response!.Status);
        await Expect(spa.Page.GetByRole(AriaRole.Heading, new() { Name = "This address is not a page" })).ToBeVisibleAsync();
        Assert.DoesNotContain("\\u0027", await spa.Page.ContentAsync(), StringComparison.Ordinal);
        await spa.Page.GetByRole(AriaRole.Link, new() { Name = "Back to the app" }).ClickAsync();
        await Expect(spa.SignInButton).ToBeVisibleAsync();
        await Expect(spa.Page).ToHaveTitleAsync("Home · BFF Demo");

        await spa.OpenAsync("/no/such/page");
        await Expect(spa.Page.GetByTestId("not-found")).ToBeVisibleAsync();
        await Expect(spa.Page).ToHaveTitleAsync("Page not found · BFF Demo");
    });

    [Fact]
    public Task Focus_outlines_have_at_least_three_to_one_contrast() => fixture.WithPageAsync(output, async spa =>
    {
        await spa.OpenAsync();
        await Expect(spa.SignInButton).ToBeVisibleAsync();
        // Keyboard focus (focus-visible), as a keyboard user gets it.
        await spa.Page.Keyboard.PressAsync("Tab");
        for (var i = 0; i < 10 && !await spa.SignInButton.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await spa.Page.Keyboard.PressAsync("Tab");
        }

        var style = await spa.SignInButton.EvaluateAsync<string[]>("""
            b => {
              const s = getComputedStyle(b);
              const card = getComputedStyle(b.closest('.card'));
              return [s.outlineStyle, s.outlineWidth, s.outlineColor, card.backgroundColor];
            }
            """);
        output.WriteLine(string.Join(" | ", style));
        Assert.Equal("solid", style[0]);
        Assert.True(double.Parse(style[1].Replace("px", ""), CultureInfo.InvariantCulture) >= 2, style[1]);
        Assert.InRange(Contrast(style[2], style[3]), 3.0, 21.0);
    });

    private static double Contrast(string a, string b)
    {
        double Luminance(string css)
        {
            var parts = Rgb().Matches(css).Take(3).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture) / 255).ToArray();
            var linear = parts.Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4)).ToArray();
            return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
        }

        var (l1, l2) = (Luminance(a), Luminance(b));
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Rgb();
}

/// <summary>A stack whose sessions end after 70 seconds without a request.</summary>
public sealed class ShortIdleBrowserFixture : BrowserStackFixture
{
    public const int IdleSeconds = 70;

    protected override TestStackOptions Options => new()
    {
        BffSettings = new Dictionary<string, string> { ["Bff:Session:IdleTimeout"] = TimeSpan.FromSeconds(IdleSeconds).ToString("c", CultureInfo.InvariantCulture) },
    };
}

/// <summary>The idle countdown follows the server: API calls slide it, a warning comes a minute before the end.</summary>
public sealed class IdleTimeoutTests(ShortIdleBrowserFixture fixture, ITestOutputHelper output) : IClassFixture<ShortIdleBrowserFixture>
{
    private static async Task<int> SecondsShownAsync(SpaPage spa)
    {
        var text = (await spa.Page.GetByTestId("session-expires").TextContentAsync())!;
        var parts = text.Split(':').Select(int.Parse).ToArray();
        return parts[^2] * 60 + parts[^1];
    }

    [Fact]
    public Task Warning_stay_signed_in_api_calls_slide_the_countdown_and_the_end_shows_signed_out() => fixture.WithPageAsync(output, async spa =>
    {
        await spa.OpenAsync();
        await spa.SignInAsync("e2e-idle");
        Assert.InRange(await SecondsShownAsync(spa), 55, ShortIdleBrowserFixture.IdleSeconds);
        var warning = spa.Page.GetByTestId("idle-warning");

        // Within the last minute: the warning.
        await Expect(warning).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.InRange(await SecondsShownAsync(spa), 0, 60);

        // An API call slides the server's timer, and the countdown follows its header.
        await spa.CallApiButton.ClickAsync();
        await Expect(spa.ApiSubject).ToHaveTextAsync("e2e-idle");
        await Expect(warning).ToBeHiddenAsync();
        Assert.InRange(await SecondsShownAsync(spa), 61, ShortIdleBrowserFixture.IdleSeconds);

        await Expect(warning).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await spa.Page.GetByTestId("stay-signed-in").ClickAsync();
        await Expect(warning).ToBeHiddenAsync();
        Assert.InRange(await SecondsShownAsync(spa), 61, ShortIdleBrowserFixture.IdleSeconds);

        // Left alone: at the end, the signed-out state with the reason.
        await Expect(spa.Page.GetByTestId("session-ended-detail"))
            .ToContainTextAsync("inactivity", new() { Timeout = (ShortIdleBrowserFixture.IdleSeconds + 30) * 1000 });
        Assert.Equal(401, await spa.FetchStatusAsync("/bff/user"));

        // An idle timeout is no reason to ask for the password: single sign-on brings the user straight back.
        var authorize = await spa.Page.RunAndWaitForRequestAsync(() => spa.SignInButton.ClickAsync(),
            r => r.Url.StartsWith(fixture.Stack.Idp.Authority, StringComparison.Ordinal) && r.Url.Contains("client_id=", StringComparison.Ordinal));
        Assert.Null((await fixture.Stack.Idp.AuthorizeParametersAsync(new Uri(authorize.Url))).GetValueOrDefault("prompt"));
        await Expect(spa.UserName).ToHaveTextAsync("e2e-idle");
    });
}
