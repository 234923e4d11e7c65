using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Bff.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bff.E2E;

/// <summary>
/// The full-stack fixture (<see cref="StackFixture"/>: node identity provider, demo API, BFF serving the built SPA)
/// with one headless Debian Chromium, shared by a test class. Each test gets its own browser context, so cookies
/// never leak between tests. A class that needs another stack derives a fixture and overrides <c>Options</c>.
/// </summary>
public partial class BrowserStackFixture : StackFixture
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where failing tests leave a screenshot of the page.</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("E2E_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    protected override async Task StartedAsync()
    {
        EnsurePrerequisites();
        // Generous waits: a loaded two-core machine can be slow, and nothing here asserts a duration.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                // Only loopback exists for these tests: no other name resolves (the provider's login page
                // imports a web font from the internet, which must not be fetched).
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ],
        });
    }

    /// <summary>
    /// A fresh browser context (its own cookie jar) with one page. Requests to anything but loopback are
    /// aborted and counted in <paramref name="blocked"/>, if given.
    /// </summary>
    public async Task<IPage> NewPageAsync(List<string>? blocked = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Stack.BffUrl });
        context.SetDefaultTimeout(15_000);
        // Only requests that leave loopback are intercepted (intercepting every request would slow each one down).
        await context.RouteAsync(NotLoopback(), async route =>
        {
            if (blocked is not null)
            {
                lock (blocked)
                {
                    blocked.Add(route.Request.Url);
                }
            }

            await route.AbortAsync("blockedbyclient");
        });
        return await context.NewPageAsync();
    }

    [GeneratedRegex(@"^(?!(https?|wss?)://(localhost|127\.0\.0\.1|\[::1\])[:/])[a-z][a-z0-9+.-]*://")]
    private static partial Regex NotLoopback();

    /// <summary>Runs a test on a fresh page; on failure saves a full-page screenshot before rethrowing.</summary>
    public async Task WithPageAsync(ITestOutputHelper output, Func<SpaPage, Task> test, [CallerMemberName] string name = "")
    {
        var blocked = new List<string>();
        var page = await NewPageAsync(blocked);
        try
        {
            await test(new SpaPage(page, blocked));
        }
        catch
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            var path = Path.Combine(ScreenshotDirectory, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                output.WriteLine($"Screenshot of the failing page ({page.Url}): {path}");
            }
            catch (PlaywrightException ex)
            {
                output.WriteLine($"No screenshot: {ex.Message}");
            }

            throw;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    protected override async Task StoppedAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static void EnsurePrerequisites()
    {
        var index = Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html");
        if (!File.Exists(index))
        {
            throw new InvalidOperationException(
                $"The SPA is not in the test output ({index} is missing). Build it into bff/Bff.Host/wwwroot with " +
                "`cd spa && npm ci && npm run build`, then rebuild the tests (`dotnet build e2e/Bff.E2E`).");
        }

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing. Install Debian's Chromium (`apt-get install -y chromium`); " +
                "never `playwright install`, whose browser downloads fail here.");
        }
    }
}
