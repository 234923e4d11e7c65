using System.Net;
using System.Security.Cryptography.X509Certificates;
using Bff.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bff.Tests.Integration;

/// <summary>A real nginx terminating TLS in front of a BFF that trusts it (and nobody else) as a proxy.</summary>
public sealed class TlsOffloadFixture : StackFixture
{
    public TlsTerminatingProxy Proxy { get; } = TlsTerminatingProxy.Create();

    protected override TestStackOptions Options => new()
    {
        ExtraOrigins = [Proxy.Origin],
        BffSettings = new Dictionary<string, string>
        {
            ["Bff:TrustedProxies:0"] = TlsTerminatingProxy.SourceAddress,
            ["Bff:AllowPlainHttp"] = "false",
        },
    };

    protected override Task StartedAsync() => Proxy.StartAsync(Stack.BffPorts[0]);

    protected override async Task StoppedAsync() => await Proxy.DisposeAsync();
}

public sealed class TlsOffloadTests(TlsOffloadFixture fixture) : IClassFixture<TlsOffloadFixture>
{
    private BrowserClient HttpsBrowser() => new(fixture.Proxy.Origin, fixture.Proxy.Trusts);

    [Fact]
    public async Task Behind_the_proxy_the_sign_in_cookies_are_host_prefixed_and_secure()
    {
        using var browser = HttpsBrowser();
        using var login = await browser.GetAsync("/bff/login", antiforgery: false);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var setCookies = login.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(setCookies);
        Assert.All(setCookies, cookie =>
        {
            Assert.StartsWith("__Host-", cookie, StringComparison.Ordinal);
            Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; path=/;", cookie + ";", StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Contains(setCookies, c => c.StartsWith("__Host-.AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Equal("max-age=31536000", login.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Sign_in_through_the_proxy_comes_back_over_https_with_a_secure_host_session_cookie()
    {
        using var browser = HttpsBrowser();
        await browser.SignInAsync("tls-alice");

        // The provider sent the browser back to the redirect URI the BFF asked for: the https origin.
        Assert.Equal(fixture.Proxy.Origin + "/signin-oidc", browser.LastCallbackUrl!.GetLeftPart(UriPartial.Path));

        var session = Assert.Single(browser.Cookies.GetAllCookies(), c => c.Name is "__Host-bff" or "bff");
        Assert.Equal("__Host-bff", session.Name);
        Assert.True(session.Secure);
        Assert.True(session.HttpOnly);

        Assert.Equal("tls-alice", (await browser.UserAsync())["sub"].GetString());
        Assert.Equal("tls-alice", (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Over_https_a_planted_bare_session_cookie_is_ignored()
    {
        using var attacker = fixture.Stack.NewBrowser();
        await attacker.SignInAsync("tls-mallory");
        var planted = attacker.SessionCookie!;
        Assert.Equal("bff", planted.Name);

        using var victim = HttpsBrowser();
        victim.Cookies.Add(new Cookie("bff", planted.Value, "/", "localhost"));
        using var user = await victim.GetAsync("/bff/user");

        // Over https only the __Host- cookie counts: a plain-HTTP or sibling-domain cookie is not a session.
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    // The framework reads cookie names case-insensitively, the last one winning: a planted "BFF" must not stand in
    // for the victim's own __Host- session.
    [Fact]
    public async Task Over_https_a_planted_session_cookie_under_another_letter_case_does_not_replace_the_users_session()
    {
        using var attacker = fixture.Stack.NewBrowser();
        await attacker.SignInAsync("tls-mallory-case");

        using var victim = HttpsBrowser();
        await victim.SignInAsync("tls-victim-case");
        victim.Cookies.Add(new Cookie("BFF", attacker.SessionCookie!.Value, "/", "localhost"));

        Assert.Equal("tls-victim-case", (await victim.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_are_ignored()
    {
        // The test talks to the BFF directly from 127.0.0.1; only nginx's 127.0.0.2 is trusted.
        using var direct = fixture.Stack.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/bff/login");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var login = await direct.SendRawAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var correlation = login.Headers.GetValues("Set-Cookie").Single(c => c.Contains(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.StartsWith(".AspNetCore.Correlation.", correlation, StringComparison.Ordinal);
        Assert.DoesNotContain("secure", correlation, StringComparison.OrdinalIgnoreCase);
        Assert.False(login.Headers.Contains("Strict-Transport-Security"));
        var authorize = Uri.UnescapeDataString(login.Headers.Location!.ToString());
        Assert.DoesNotContain("evil.example", authorize, StringComparison.Ordinal);
        Assert.DoesNotContain("https://localhost", authorize, StringComparison.Ordinal);
    }

    // Over HTTPS the sign-in cookies are __Host- with Path=/, so every unfinished sign-in's pair goes with every request.
    [Fact]
    public async Task Behind_the_proxy_a_sign_in_started_over_unfinished_ones_clears_their_cookies()
    {
        using var browser = HttpsBrowser();
        for (var i = 0; i < 3; i++)
        {
            using var started = await browser.GetAsync("/bff/login", antiforgery: false);
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        }

        var pending = browser.Cookies.GetAllCookies().Where(c => c.Name.StartsWith("__Host-.AspNetCore.", StringComparison.Ordinal)).Select(c => c.Name).ToList();
        Assert.Equal(6, pending.Count);

        using var login = await browser.GetAsync("/bff/login", antiforgery: false);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var deleted = login.Headers.GetValues("Set-Cookie").Where(c => c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.All(pending, name => Assert.Contains(deleted, c => c.StartsWith(name + "=", StringComparison.Ordinal)));
        Assert.Equal(2, browser.Cookies.GetAllCookies().Count(c => !c.Expired && c.Name.StartsWith("__Host-.AspNetCore.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_production_bff_on_plain_http_without_a_trusted_proxy_refuses_to_start()
    {
        await using var app = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            "--environment=Production",
            .. StandaloneBff.Arguments,
        ]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("Bff:TrustedProxies", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Bff:AllowPlainHttp", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_from_kestrel_configuration_is_refused_too()
    {
        // Kestrel:Endpoints (like addresses set in code, or the default localhost:5000) are bound after the pipeline is built.
        await using var app = BffHostApp.Create(
        [
            "--environment=Production",
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            .. StandaloneBff.Arguments,
        ]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("only on plain HTTP", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A production BFF on Kestrel with one plain-HTTP listener and <paramref name="httpsListeners"/> HTTPS ones.</summary>
    private static async Task<WebApplication> StartPlainAndHttpsAsync(string[] arguments, X509Certificate2 certificate, int httpsListeners)
    {
        var app = BffHostApp.Create(["--environment=Production", .. arguments], builder =>
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(IPAddress.Loopback, 0);
                for (var i = 0; i < httpsListeners; i++)
                {
                    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
                }
            }));
        await app.StartAsync();
        return app;
    }

    // HTTPS next to plain HTTP passes the start check; the plain listener used to sign users in with a cookie without
    // Secure. Its requests now go to the HTTPS listener, except the health probes that platforms send there.
    [Fact]
    public async Task A_production_bff_that_also_listens_on_plain_http_sends_its_requests_to_https_but_answers_health_probes()
    {
        using var certificate = TestCertificate.Localhost();
        // Two HTTPS ports (the framework's own redirection then fails every plain request): the lower is used.
        await using var app = await StartPlainAndHttpsAsync(StandaloneBff.Arguments, certificate, httpsListeners: 2);
        var plainPort = new Uri(app.Urls.Single(u => u.StartsWith("http:", StringComparison.Ordinal))).Port;
        var httpsPort = app.Urls.Where(u => u.StartsWith("https:", StringComparison.Ordinal)).Select(u => new Uri(u).Port).Min();
        using var plain = new BrowserClient($"http://localhost:{plainPort}");
        using var https = new BrowserClient($"https://localhost:{httpsPort}", c => c?.Thumbprint == certificate.Thumbprint);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/bff/login?returnUrl=%2F"), (HttpMethod.Get, "/bff/user"), (HttpMethod.Post, "/bff/logout"), (HttpMethod.Get, "/"), (HttpMethod.Get, "/health/live/x") })
        {
            using var redirected = await plain.SendAsync(method, path);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
            Assert.Equal($"https://localhost:{httpsPort}{path}", redirected.Headers.Location!.ToString());
            Assert.False(redirected.Headers.Contains("Set-Cookie"), $"{method} {path} set a cookie over plain HTTP");
        }

        // HTTP/1.0 may leave Host out: there is no address to send it to, and it is not served either.
        var (hostless, hostlessBody) = await RawHttp.SendAsync(plainPort, System.Text.Encoding.ASCII.GetBytes("GET /bff/login HTTP/1.0\r\n\r\n"));
        Assert.Equal(400, hostless);
        Assert.Contains("served over HTTPS", hostlessBody);

        using (var live = await plain.GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // The provider's back-channel logout carries no cookie, and a redirect would lose it: answered where it arrives.
        using (var backChannel = await plain.SendAsync(HttpMethod.Post, "/bff/backchannel", antiforgery: false,
                   new FormUrlEncodedContent([new("logout_token", "not-a-token")])))
        {
            // (Judged, not redirected: this stand-alone BFF's provider is not running, hence 503.)
            Assert.Equal(HttpStatusCode.ServiceUnavailable, backChannel.StatusCode);
            Assert.Null(backChannel.Headers.Location);
        }

        using var user = await https.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        Assert.Equal("max-age=31536000", user.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Allowed_plain_http_next_to_https_is_served_where_it_arrives()
    {
        using var certificate = TestCertificate.Localhost();
        await using var app = await StartPlainAndHttpsAsync(StandaloneBff.OverPlainHttp, certificate, httpsListeners: 1);
        using var plain = new BrowserClient(app.Urls.Single(u => u.StartsWith("http:", StringComparison.Ordinal)));

        using var user = await plain.GetAsync("/bff/user");

        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    [Fact]
    public async Task The_frameworks_own_forwarded_headers_switch_is_refused()
    {
        // It would believe X-Forwarded-* from any peer (no known proxy) before the BFF could look at the request.
        await using var app = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            "--FORWARDEDHEADERS_ENABLED=true",
            .. StandaloneBff.OverPlainHttp,
        ]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("ASPNETCORE_FORWARDEDHEADERS_ENABLED", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Bff:TrustedProxies", refused.Message, StringComparison.Ordinal);
    }
}
