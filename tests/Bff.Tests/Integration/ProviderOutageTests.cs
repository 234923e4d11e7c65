using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Integration;

/// <summary>The provider goes away and comes back: the session survives, calls fail softly, then recover.</summary>
public sealed class ProviderOutageTests : IAsyncLifetime
{
    private const int AccessTokenSeconds = 300;
    private TestStack _stack = null!;

    /// <summary>The BFF's clock: it decides when a token is due and how long to back off, so the test moves it.</summary>
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync() => _stack = await TestStack.StartAsync(new TestStackOptions
    {
        AccessTokenLifetimeSeconds = AccessTokenSeconds,
        Clock = _clock,
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_refresh_during_an_outage_is_503_and_keeps_the_session_until_the_provider_is_back()
    {
        using var browser = _stack.NewBrowser();
        await browser.SignInAsync("outage-user");
        var before = await browser.GetJsonAsync("/api/whoami");

        await _stack.Idp.StopAsync();
        // Within a minute of its expiry (Bff:Tokens:RefreshBeforeExpiry), the BFF refreshes the token before forwarding;
        // while the provider is away, the token still valid is forwarded.
        _clock.Advance(TimeSpan.FromSeconds(AccessTokenSeconds - 55));
        Assert.Equal(before.GetProperty("jti").GetString(), (await browser.GetJsonAsync("/api/whoami")).GetProperty("jti").GetString());

        // Seconds before its expiry it is not forwarded any more.
        _clock.Advance(TimeSpan.FromSeconds(52));

        using (var during = await browser.GetAsync("/api/whoami"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Equal("provider_unavailable", JsonDocument.Parse(await during.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            Assert.True(during.Headers.Contains("Retry-After"));
        }

        using (var user = await browser.GetAsync("/bff/user"))
        {
            Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        }

        await _stack.Idp.StartAsync();

        // The failure backs off for a moment; once that has passed on the BFF's clock, the next call refreshes.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var after = await browser.GetJsonAsync("/api/whoami");

        Assert.Equal("outage-user", after.GetProperty("sub").GetString());
        Assert.NotEqual(before.GetProperty("jti").GetString(), after.GetProperty("jti").GetString());
    }

    [Fact]
    public async Task A_provider_outage_during_the_code_exchange_is_503_with_retry_after_and_the_callback_works_after()
    {
        using var browser = _stack.NewBrowser();
        var login = (await browser.NavigateAsync("/bff/login?returnUrl=%2Fback")).Form()!;
        login.Fields["login"] = "exchange-outage";
        login.Fields["password"] = "any";

        // Follow the provider's redirects by hand, up to (not into) the BFF's callback.
        using var request = new HttpRequestMessage(HttpMethod.Post, login.Action) { Content = new FormUrlEncodedContent(login.Fields) };
        var response = await browser.SendRawAsync(request);
        while (response.Headers.Location is { } location && !location.AbsolutePath.EndsWith("/signin-oidc", StringComparison.Ordinal))
        {
            var next = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            response.Dispose();
            response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, next));
        }

        var callback = response.Headers.Location!;
        response.Dispose();
        Assert.EndsWith("/signin-oidc", callback.AbsolutePath);

        await _stack.Idp.StopAsync();
        using (var during = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, callback)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.NotNull(during.Headers.RetryAfter);
            Assert.Contains("cannot be reached right now", await during.Content.ReadAsStringAsync());
            Assert.Null(browser.SessionCookie);
        }

        // The attempt is used up at the BFF (its correlation cookie is gone): signing in again works once the provider is back.
        await _stack.Idp.StartAsync();
        var page = await browser.SignInAsync("exchange-outage", "/back");
        Assert.Equal("/back", page.Url.AbsolutePath);
    }
}
