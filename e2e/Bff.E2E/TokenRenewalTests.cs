using Bff.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bff.E2E;

/// <summary>A stack whose access tokens live ten seconds.</summary>
public sealed class ShortTokenBrowserFixture : BrowserStackFixture
{
    protected override TestStackOptions Options => new() { AccessTokenLifetimeSeconds = 10 };
}

/// <summary>The SPA left open, calling the API every few seconds, keeps working while tokens come and go.</summary>
public sealed class TokenRenewalTests(ShortTokenBrowserFixture fixture, ITestOutputHelper output) : IClassFixture<ShortTokenBrowserFixture>
{
    // Long enough for a dozen token lifetimes; the suite's only long test.
    private static readonly TimeSpan Watch = TimeSpan.FromMinutes(2);

    [Fact]
    public Task Polling_page_never_sees_a_failed_call_while_tokens_are_renewed() => fixture.WithPageAsync(output, async spa =>
    {
        await spa.OpenAsync();
        await spa.SignInAsync("e2e-poller");
        await Expect(spa.UserName).ToHaveTextAsync("e2e-poller");

        await spa.Page.GetByTestId("poll-toggle").CheckAsync();
        var until = DateTime.UtcNow + Watch;
        while (DateTime.UtcNow < until)
        {
            // Fail as soon as one call fails, not only at the end.
            Assert.Equal("0", await spa.Page.GetByTestId("poll-failed").TextContentAsync());
            await spa.Page.WaitForTimeoutAsync(5_000);
        }

        var ok = int.Parse((await spa.Page.GetByTestId("poll-ok").TextContentAsync())!);
        var tokens = int.Parse((await spa.Page.GetByTestId("poll-tokens").TextContentAsync())!);
        output.WriteLine($"{ok} calls, {tokens} different access tokens, none failed");

        Assert.Equal("0", await spa.Page.GetByTestId("poll-failed").TextContentAsync());
        Assert.InRange(ok, 20, int.MaxValue);
        Assert.InRange(tokens, 8, int.MaxValue); // renewed every ~5 s (half the 10 s lifetime)
        await Expect(spa.UserName).ToHaveTextAsync("e2e-poller");
    });
}
