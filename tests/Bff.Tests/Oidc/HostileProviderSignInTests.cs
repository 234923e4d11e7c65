using System.Globalization;
using System.Net;
using Bff.Host;
using Bff.Configuration;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Oidc;

/// <summary>
/// Sign-in through ASP.NET Core's OpenID Connect handler as the BFF wires it, against a provider that lies:
/// every forged, mixed-up, replayed or injected answer ends on a readable 4xx page and leaves no session.
/// </summary>
public sealed class HostileProviderSignInTests : IAsyncLifetime
{
    private HostileProvider _idp = null!;
    private WebApplication _bff = null!;
    private string _bffUrl = null!;

    // The BFF's clock: real time until a test moves it (the keys' re-read floor).
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        _idp = await HostileProvider.StartAsync();
        await StartBffAsync();
    }

    private Task StartBffAsync(params string[] extra) => StartBffAsync(null, extra);

    private async Task StartBffAsync(Action<Bff.Configuration.BffBuilder>? configure, params string[] extra)
    {
        _bff = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=None",
            $"--Bff:Authority={_idp.Issuer}",
            "--Bff:RequireHttpsMetadata=false",
            "--Bff:AllowPlainHttp=true",
            $"--Bff:ClientId={HostileProvider.ClientId}",
            $"--Bff:ClientSecret={HostileProvider.ClientSecret}",
            "--Bff:RateLimits:Login:PermitLimit=10000",
            "--Bff:RateLimits:SignInCallback:PermitLimit=10000",
            .. extra,
        ], builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_time);
            configure?.Invoke(new Bff.Configuration.BffBuilder(builder.Services));
        });
        await _bff.StartAsync();
        _bffUrl = $"http://localhost:{new Uri(_bff.Urls.Single()).Port}";
    }

    public async Task DisposeAsync()
    {
        await _bff.DisposeAsync();
        await _idp.DisposeAsync();
    }

    /// <summary>Starts sign-in in <paramref name="browser"/>: the authorize request as the provider receives it.</summary>
    private async Task<Dictionary<string, string>> StartSignInAsync(BrowserClient browser, string query = "")
    {
        using var login = await browser.GetAsync("/bff/login" + query, antiforgery: false);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        return _idp.AuthorizeParameters(login.Headers.Location!);
    }

    private static string Callback(Dictionary<string, string> authorize, string code, string? iss) =>
        "/signin-oidc?code=" + Uri.EscapeDataString(code) + "&state=" + Uri.EscapeDataString(authorize["state"]) +
        (iss is null ? "" : "&iss=" + Uri.EscapeDataString(iss));

    private async Task<BrowserPage> SignInAsync(BrowserClient browser)
    {
        var authorize = await StartSignInAsync(browser);
        return await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer));
    }

    private static async Task AssertRefusedAsync(BrowserClient browser, BrowserPage page, string? text = null, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        Assert.Equal(status, page.Status);
        Assert.Equal("text/html", page.MediaType);
        Assert.Contains("Back to the app", page.Body);
        Assert.DoesNotContain("Exception", page.Body);
        if (text is not null)
        {
            Assert.Contains(text, page.Body);
        }

        Assert.Null(browser.SessionCookie);
        using var user = await browser.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    private BrowserClient NewBrowser() => new(_bffUrl);

    [Fact]
    public async Task An_honest_answer_signs_in()
    {
        using var browser = NewBrowser();

        var page = await SignInAsync(browser);

        Assert.Equal(new Uri(_bffUrl + "/"), page.Url);
        var user = await browser.UserAsync();
        Assert.Equal("alice", user["sub"].GetString());
        Assert.Equal("Alice", user["name"].GetString());
        Assert.DoesNotContain(user.Keys, k => k is "nonce" or "aud" or "iss");
    }

    public static TheoryData<string> ForgedIdTokens() =>
    [
        "signature by an unpublished key", "alg none", "alg HS256 with the public key", "wrong iss", "wrong aud",
        "another azp", "several audiences without azp", "expired", "issued in the future", "not yet valid",
        "no nonce", "wrong nonce", "no sub",
    ];

    [Theory]
    [MemberData(nameof(ForgedIdTokens))]
    public async Task A_forged_id_token_is_refused_with_a_page_and_no_session(string forgery)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var impostor = TestSigningKey.Rsa("rsa-1");
        switch (forgery)
        {
            case "signature by an unpublished key": _idp.SignIdToken = c => impostor.Sign(c); break;
            case "alg none": _idp.SignIdToken = c => TestSigningKey.Unsigned(new Dictionary<string, object?> { ["alg"] = "none", ["kid"] = "rsa-1" }, c); break;
            case "alg HS256 with the public key": _idp.SignIdToken = c => HmacWithPublicKey(c); break;
            case "wrong iss": _idp.ChangeClaims = c => c["iss"] = "https://evil.example"; break;
            case "wrong aud": _idp.ChangeClaims = c => c["aud"] = "another-client"; break;
            case "another azp": _idp.ChangeClaims = c => c["azp"] = "another-client"; break;
            case "several audiences without azp": _idp.ChangeClaims = c => c["aud"] = new[] { HostileProvider.ClientId, "another-client" }; break;
            case "expired": _idp.ChangeClaims = c => { c["iat"] = now - 3600; c["exp"] = now - 600; }; break;
            case "issued in the future": _idp.ChangeClaims = c => { c["iat"] = now + 600; c["exp"] = now + 3600; }; break;
            case "not yet valid": _idp.ChangeClaims = c => c["nbf"] = now + 600; break;
            case "no nonce": _idp.ChangeClaims = c => c.Remove("nonce"); break;
            case "wrong nonce": _idp.ChangeClaims = c => c["nonce"] = "attacker-nonce"; break;
            case "no sub": _idp.ChangeClaims = c => c.Remove("sub"); break;
        }

        using var browser = NewBrowser();
        await AssertRefusedAsync(browser, await SignInAsync(browser), "Sign-in failed");
    }

    // prompt=login (or max_age) asked is not done: a provider that ignores it (or brokers to one that signs in silently)
    // answers with the user's earlier authentication, which its auth_time gives away. auth_time is compared on the
    // provider's own clock (through the token's iat), so a provider whose clock is off is judged fairly; within the
    // clock skew (2 min) the answer is given the benefit of the doubt; without auth_time it is taken at its word.
    // prompt=login counts as max_age=0, whatever max_age says.
    [Theory]
    [InlineData("?prompt=login", -3600, 0, false)]
    [InlineData("?prompt=login", -180, 0, false)]
    [InlineData("?prompt=consent%20login&max_age=600", -3600, 0, false)]
    [InlineData("?prompt=login", -3600, -600, false)]
    [InlineData("?prompt=login", -60, 0, true)]
    [InlineData("?prompt=login", 0, 0, true)]
    [InlineData("?prompt=login", null, 0, true)]
    [InlineData("?prompt=login", 0, -600, true)]
    [InlineData("?prompt=login", -30, 100, true)]
    [InlineData("", -3600, 0, true)]
    [InlineData("?max_age=0", -3600, 0, false)]
    [InlineData("?max_age=600", -3600, 0, false)]
    [InlineData("?max_age=600", -800, 0, false)]
    [InlineData("?max_age=600", -800, -600, false)]
    [InlineData("?prompt=login&max_age=3600", -600, 0, false)]
    [InlineData("?max_age=600", -700, 0, true)]
    [InlineData("?max_age=3600", -600, 0, true)]
    [InlineData("?max_age=600", null, 0, true)]
    [InlineData("?max_age=600", -700, -600, true)]
    public async Task A_sign_in_that_asked_for_the_password_again_is_refused_when_the_provider_answers_with_an_earlier_one(
        string query, int? authTimeAgo, int providerClockOffset, bool signsIn)
    {
        _idp.ChangeClaims = c =>
        {
            var providerNow = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + providerClockOffset;
            c["iat"] = providerNow;
            c["exp"] = providerNow + 3600;
            if (authTimeAgo is { } ago)
            {
                c["auth_time"] = providerNow + ago;
            }
        };

        await AssertRecentAuthenticationAnswerAsync(query, signsIn);
    }

    // A NumericDate may have a fraction (RFC 7519); anything else in auth_time is no time at all.
    [Theory]
    [InlineData("fresh fraction", true)]
    [InlineData("old fraction", false)]
    [InlineData("string", false)]
    [InlineData("boolean", false)]
    [InlineData("huge", false)]
    [InlineData("negative", false)]
    public async Task An_auth_time_that_is_no_time_is_refused_and_a_fraction_is_read(string kind, bool signsIn)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _idp.ChangeClaims = c => c["auth_time"] = kind switch
        {
            "fresh fraction" => now + 0.5,
            "old fraction" => now - 3600.5,
            "string" => now.ToString(CultureInfo.InvariantCulture),
            "boolean" => true,
            "huge" => 1e300,
            _ => -1,
        };

        await AssertRecentAuthenticationAnswerAsync("?prompt=login", signsIn);
    }

    /// <summary>Signs in with <paramref name="query"/>: a session, or the refusal page naming <paramref name="refusal"/> and no session.</summary>
    /// <returns>The authorize request as the provider received it.</returns>
    private async Task<Dictionary<string, string>> AssertRecentAuthenticationAnswerAsync(
        string query, bool signsIn, string refusal = "instead of asking for your password again")
    {
        using var browser = NewBrowser();

        var authorize = await StartSignInAsync(browser, query);
        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer));

        if (signsIn)
        {
            Assert.Equal(new Uri(_bffUrl + "/"), page.Url);
            Assert.Equal("alice", (await browser.UserAsync())["sub"].GetString());
        }
        else
        {
            await AssertRefusedAsync(browser, page, refusal);
            Assert.Contains("Sign out at the identity provider", page.Body);
        }

        return authorize;
    }

    // Bff:RequireAuthTime: a sign-in that asked for a recent authentication needs the provider to say when it was.
    [Theory]
    [InlineData("?prompt=login", null, false)]
    [InlineData("?max_age=600", null, false)]
    [InlineData("?max_age=600", -60, true)]
    [InlineData("", null, true)]
    public async Task With_auth_time_required_a_sign_in_that_asked_for_a_recent_authentication_needs_it(string query, int? authTimeAgo, bool signsIn)
    {
        await _bff.DisposeAsync();
        await StartBffAsync("--Bff:RequireAuthTime=true");
        _idp.ChangeClaims = c =>
        {
            if (authTimeAgo is { } ago)
            {
                c["auth_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + ago;
            }
        };

        await AssertRecentAuthenticationAnswerAsync(query, signsIn, "did not say when you last entered your password");
    }

    // The app's own delegate may ask for max_age too (the handler's option or its own redirect event): checked the same.
    [Theory]
    [InlineData(-3600, false)]
    [InlineData(-60, true)]
    public async Task A_max_age_the_apps_own_delegate_asks_for_is_checked(int authTimeAgo, bool signsIn)
    {
        await _bff.DisposeAsync();
        await StartBffAsync(bff => bff.ConfigureOpenIdConnect(o => o.MaxAge = TimeSpan.FromMinutes(10)));
        _idp.ChangeClaims = c => c["auth_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + authTimeAgo;

        var authorize = await AssertRecentAuthenticationAnswerAsync("", signsIn);
        Assert.Equal("600", authorize["max_age"]);
    }

    // The handler bounds a sign-in's age only by its correlation cookie's lifetime, which the browser enforces: a browser
    // that keeps its cookies could finish a sign-in started long ago, under that time's demands. The state carries its
    // start, and is refused 15 minutes on (the id_token is fresh on the BFF's clock either way).
    [Theory]
    [InlineData(14, true)]
    [InlineData(16, false)]
    public async Task A_sign_in_state_older_than_fifteen_minutes_is_refused_whatever_cookies_the_browser_kept(int minutes, bool signsIn)
    {
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser);
        _time.Advance(TimeSpan.FromMinutes(minutes));
        _idp.ChangeClaims = c =>
        {
            c["iat"] = _time.GetUtcNow().ToUnixTimeSeconds();
            c["exp"] = _time.GetUtcNow().ToUnixTimeSeconds() + 3600;
        };

        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer));

        if (signsIn)
        {
            Assert.Equal("alice", (await browser.UserAsync())["sub"].GetString());
        }
        else
        {
            await AssertRefusedAsync(browser, page, "This sign-in attempt has expired");
        }
    }

    // A state written by the version before the start was recorded: its prompt=login was remembered differently and would
    // not be checked against auth_time here (nor would its sid demand stay). It is refused, as a sign-in that has expired.
    [Fact]
    public async Task A_sign_in_state_from_an_older_version_is_refused()
    {
        _idp.ChangeClaims = c => c["auth_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser, "?prompt=login");
        var format = _bff.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(BffDefaults.OidcScheme).StateDataFormat;
        var properties = format.Unprotect(authorize["state"])!;
        Assert.True(properties.Items.Remove("bff.started"));
        Assert.True(properties.Items.Remove(Bff.Oidc.AuthenticationAge.EarliestItem));
        authorize["state"] = format.Protect(properties);

        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer));

        await AssertRefusedAsync(browser, page, "This sign-in attempt has expired");
    }

    // The callback's own demand: single sign-on back into a provider session (sid) whose session here was ended from
    // another one. The second asking carries max_age=0 as well, and its answer must be a new authentication too.
    [Fact]
    public async Task Single_sign_on_into_an_ended_provider_session_must_come_back_with_a_new_authentication()
    {
        var authTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        _idp.ChangeClaims = c => c["auth_time"] = authTime;
        using var laptop = NewBrowser();
        using var phone = NewBrowser();
        await SignInAsync(laptop);
        await SignInAsync(phone);
        var phoneSession = (await laptop.GetJsonAsync("/bff/sessions")).EnumerateArray()
            .Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();
        using (var ended = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/" + phoneSession))
        {
            Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        }

        // The phone, without its old cookie, comes back by single sign-on: asked again, with max_age=0.
        phone.DropSessionCookie();
        async Task<Dictionary<string, string>> AskedAgainAsync()
        {
            var first = await StartSignInAsync(phone);
            Assert.False(first.ContainsKey("prompt"));
            using var callback = await phone.GetAsync(Callback(first, _idp.IssueCode(first), _idp.Issuer), antiforgery: false);
            Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
            var again = _idp.AuthorizeParameters(callback.Headers.Location!);
            Assert.Equal("login", again["prompt"]);
            Assert.Equal("0", again["max_age"]);
            return again;
        }

        // The provider answers the second asking with the old authentication: refused, and the demand stays.
        var asked = await AskedAgainAsync();
        await AssertRefusedAsync(phone, await phone.NavigateAsync(Callback(asked, _idp.IssueCode(asked), _idp.Issuer)),
            "instead of asking for your password again");

        // With the password given now, the phone signs in.
        asked = await AskedAgainAsync();
        authTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var page = await phone.NavigateAsync(Callback(asked, _idp.IssueCode(asked), _idp.Issuer));
        Assert.Equal(new Uri(_bffUrl + "/"), page.Url);
        Assert.Equal(authTime.ToString(CultureInfo.InvariantCulture), (await phone.UserAsync())["auth_time"].GetString());
    }

    // Sign out everywhere while another browser's sign-in in the same provider session is under way: its callback met no
    // demand yet (the check ran first), and its session is saved after the sessions were listed. That session ends as it
    // is created, its browser is told why, and its next sign-in asks for the password.
    [Fact]
    public async Task A_sign_in_under_way_while_its_provider_session_is_signed_out_everywhere_ends_as_it_is_created()
    {
        BrowserClient? signsOutEverywhere = null;
        await _bff.DisposeAsync();
        await StartBffAsync(bff => bff.ConfigureOpenIdConnect(o => o.Events.OnTicketReceived = async _ =>
        {
            // Between the callback's check and the session's save.
            if (Interlocked.Exchange(ref signsOutEverywhere, null) is { } laptop)
            {
                using var everywhere = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions");
                Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);
            }
        }));
        using var laptop = NewBrowser();
        using var phone = NewBrowser();
        await SignInAsync(laptop);

        signsOutEverywhere = laptop;
        var page = await SignInAsync(phone);

        Assert.Null(signsOutEverywhere);
        Assert.Equal(new Uri(_bffUrl + "/"), page.Url);
        using var user = await phone.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        Assert.Contains("You signed out everywhere.", await user.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("login", (await StartSignInAsync(phone))["prompt"]);
    }

    private string HmacWithPublicKey(Dictionary<string, object?> claims)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "HS256", ["kid"] = "rsa-1", ["typ"] = "JWT" };
        var input = TestSigningKey.Encode(header) + "." + TestSigningKey.Encode(claims);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(_idp.Rsa.PublicKeyBytes, System.Text.Encoding.ASCII.GetBytes(input));
        return input + "." + WebEncoders.Base64UrlEncode(mac);
    }

    [Fact]
    public async Task A_nonce_of_another_sign_in_of_the_same_browser_is_refused()
    {
        using var browser = NewBrowser();
        var first = await StartSignInAsync(browser);
        var second = await StartSignInAsync(browser);
        // The id_token answers the first request, but the browser comes back with the second's state.
        _idp.ChangeClaims = c => c["nonce"] = first["nonce"];

        var page = await browser.NavigateAsync(Callback(second, _idp.IssueCode(second), _idp.Issuer));

        await AssertRefusedAsync(browser, page, "nonce");
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData(null)] // missing, while the provider advertises that it sends iss
    public async Task A_mixed_up_issuer_in_the_callback_is_refused_before_the_code_is_used(string? iss)
    {
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser);

        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), iss));

        await AssertRefusedAsync(browser, page, "unexpected issuer");
        Assert.Equal(0, _idp.TokenCalls);
    }

    [Fact]
    public async Task A_missing_iss_is_fine_when_the_provider_does_not_advertise_it()
    {
        _idp.AdvertisesIssParameter = false;
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser);

        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), iss: null));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.NotNull(browser.SessionCookie);
    }

    [Fact]
    public async Task A_tampered_state_is_refused()
    {
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser);
        var state = authorize["state"];
        authorize["state"] = state[..^3] + (state[^3] == 'A' ? 'B' : 'A') + state[^2..];

        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer));

        await AssertRefusedAsync(browser, page, "expired or was already completed");
        Assert.Equal(0, _idp.TokenCalls);
    }

    [Fact]
    public async Task A_replayed_callback_is_refused()
    {
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser);
        var callback = Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer);
        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(callback)).Status);

        var replay = await browser.NavigateAsync(callback);
        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);

        // Nor does the callback work in another browser (no correlation cookie there).
        using var other = NewBrowser();
        await AssertRefusedAsync(other, await other.NavigateAsync(callback), "expired or was already completed");
        Assert.Contains("Sign-in failed", replay.Body);
    }

    [Fact]
    public async Task An_injected_code_of_another_sign_in_is_refused_by_pkce()
    {
        using var victim = NewBrowser();
        using var attacker = NewBrowser();
        var victimRequest = await StartSignInAsync(victim);
        var attackerRequest = await StartSignInAsync(attacker);
        var stolenCode = _idp.IssueCode(victimRequest);

        var page = await attacker.NavigateAsync(Callback(attackerRequest, stolenCode, _idp.Issuer));

        await AssertRefusedAsync(attacker, page, "rejected");
    }

    [Fact]
    public async Task A_rotated_signing_key_is_picked_up_during_sign_in()
    {
        using (var first = NewBrowser())
        {
            await SignInAsync(first); // the BFF has read the keys
        }

        // Past the floor that keeps forged kids from making the BFF hammer the provider.
        _time.Advance(TimeSpan.FromSeconds(31));
        var rotated = TestSigningKey.Rsa("rsa-2");
        _idp.PublishedKeys = [rotated];
        _idp.SignIdToken = c => rotated.Sign(c);
        using var browser = NewBrowser();

        var page = await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("alice", (await browser.UserAsync())["sub"].GetString());
    }

    [Theory]
    [InlineData(503, "application/json", """{"error":"temporarily_unavailable"}""", "cannot be reached")]
    [InlineData(429, "text/plain", "slow down", "cannot be reached")]
    [InlineData(401, "application/json", """{"error":"invalid_client"}""", "cannot be reached")]
    [InlineData(200, "text/html", "<html>maintenance</html>", "not JSON")]
    public async Task A_provider_outage_during_the_code_exchange_is_503_with_retry_after(int status, string contentType, string body, string text)
    {
        _idp.TokenAnswer = (status, contentType, body);
        using var browser = NewBrowser();
        var authorize = await StartSignInAsync(browser);

        using var callback = await browser.GetAsync(Callback(authorize, "code", _idp.Issuer), antiforgery: false);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, callback.StatusCode);
        Assert.NotNull(callback.Headers.RetryAfter);
        Assert.Contains(text, await callback.Content.ReadAsStringAsync());
        Assert.Null(browser.SessionCookie);
    }

    [Theory]
    [InlineData("""{"error":"invalid_grant"}""")]
    [InlineData("")]
    public async Task A_refused_code_stays_400(string body)
    {
        _idp.TokenAnswer = (400, "application/json", body);
        using var browser = NewBrowser();

        await AssertRefusedAsync(browser, await SignInAsync(browser), "rejected");
    }

    [Fact]
    public async Task A_discovery_document_naming_another_issuer_says_the_provider_is_misconfigured()
    {
        _idp.DocumentIssuer = "https://evil.example";
        using var browser = NewBrowser();

        var page = await browser.NavigateAsync("/bff/login");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Contains("misconfigured", page.Body);
        Assert.DoesNotContain("cannot be reached", page.Body);
    }

    // The discovery address answers with a web page (an authority naming the site, not the provider), or with JSON
    // that is no discovery document: a page that says so, not a 500.
    [Theory]
    [InlineData(200, "text/html", "<!doctype html><html><body>Welcome</body></html>")]
    [InlineData(200, "application/json", "[1, 2, 3]")]
    [InlineData(200, "application/json", "{\"issuer\": 42}")]
    public async Task A_discovery_address_answering_something_else_is_a_page_about_the_provider_not_an_error(int status, string contentType, string body)
    {
        _idp.DiscoveryAnswer = (status, contentType, body);
        using var browser = NewBrowser();

        var page = await browser.NavigateAsync("/bff/login");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Contains("identity provider", page.Body);
        Assert.DoesNotContain("Exception", page.Body);
        using var ready = await browser.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task Allow_listed_authorize_parameters_pass_through_and_others_do_not()
    {
        using var browser = NewBrowser();

        var authorize = await StartSignInAsync(browser,
            "?prompt=login&acr_values=urn:mfa&max_age=60&login_hint=alice%40example.test&redirect_uri=https://evil.example/&scope=admin&foo=bar");

        Assert.Equal("login", authorize["prompt"]);
        Assert.Equal("urn:mfa", authorize["acr_values"]);
        Assert.Equal("60", authorize["max_age"]);
        Assert.Equal("alice@example.test", authorize["login_hint"]);
        Assert.Equal(_bffUrl + "/signin-oidc", authorize["redirect_uri"]);
        Assert.DoesNotContain("admin", authorize["scope"]);
        Assert.False(authorize.ContainsKey("foo"));
        Assert.Equal("S256", authorize["code_challenge_method"]);
    }

    [Theory]
    [InlineData("?max_age=soon")]
    [InlineData("?prompt=login&prompt=none")]
    [InlineData("?login_hint=%0d%0aX-Evil:1")]
    public async Task Bad_authorize_parameters_are_400(string query)
    {
        using var browser = NewBrowser();

        using var login = await browser.GetAsync("/bff/login" + query, antiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Null(login.Headers.Location);
    }

    [Fact]
    public async Task With_par_advertised_the_redirect_carries_only_client_id_and_request_uri()
    {
        _idp.AdvertisesPar = true;
        using var browser = NewBrowser();

        using var login = await browser.GetAsync("/bff/login?prompt=login", antiforgery: false);
        var query = QueryHelpers.ParseQuery(login.Headers.Location!.Query);

        Assert.Equal(["client_id", "request_uri"], query.Keys.Order().ToArray());
        Assert.Equal("login", _idp.LastPushed!["prompt"]);
        Assert.False(_idp.LastPushed.ContainsKey("client_secret")); // the BFF authenticates with Basic, not in the form
        var authorize = _idp.AuthorizeParameters(login.Headers.Location);
        var page = await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer));
        Assert.Equal(HttpStatusCode.OK, page.Status);
    }

    [Theory]
    [InlineData(400, "application/json", """{"error":"invalid_redirect_uri"}""", 400, "refused the sign-in request")]
    [InlineData(400, "application/json", """{"error":"invalid_request"}""", 400, "refused the sign-in request")]
    [InlineData(400, "text/plain", "", 400, "refused the sign-in request")]
    [InlineData(401, "application/json", """{"error":"invalid_client"}""", 503, "right now")]
    [InlineData(503, "text/html", "<html>down</html>", 503, "right now")]
    [InlineData(429, "text/plain", "", 503, "right now")]
    [InlineData(201, "text/html", "<html>proxy</html>", 503, "not JSON")]
    [InlineData(201, "application/json", """{"expires_in":60}""", 503, "right now")]
    public async Task A_refused_or_failed_push_is_a_page_not_an_error(int status, string contentType, string body, int expected, string text)
    {
        _idp.AdvertisesPar = true;
        _idp.PushAnswer = (status, contentType, body);
        using var browser = NewBrowser();

        var page = await browser.NavigateAsync("/bff/login");

        Assert.Equal((HttpStatusCode)expected, page.Status);
        Assert.Contains(text, page.Body);
        Assert.Contains("Back to the app", page.Body);
        Assert.Null(browser.SessionCookie);
    }

    [Fact]
    public async Task Par_required_but_not_advertised_refuses_to_start_with_a_page()
    {
        await _bff.DisposeAsync();
        await StartBffAsync("--Bff:RequirePushedAuthorization=true");
        using var browser = NewBrowser();

        var page = await browser.NavigateAsync("/bff/login");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Contains("misconfigured", page.Body);
    }

    [Fact]
    public async Task Without_an_end_session_endpoint_sign_out_still_ends_the_local_session()
    {
        _idp.HasEndSessionEndpoint = false; // Amazon Cognito
        using var browser = NewBrowser();
        await SignInAsync(browser);
        var cookie = browser.SessionCookie!.Value;

        var page = await browser.SignOutAsync("/bye");

        Assert.Equal(new Uri(_bffUrl + "/bye"), page.Url);
        Assert.DoesNotContain(page.Hops, hop => hop.Authority == new Uri(_idp.Issuer).Authority);
        using var replay = NewBrowser();
        replay.Cookies.Add(new Uri(_bffUrl), new Cookie("bff", cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_sends_the_id_token_hint_and_client_id_to_the_end_session_endpoint()
    {
        using var browser = NewBrowser();
        await SignInAsync(browser);
        var logoutUrl = (await browser.UserAsync())["bff:logout_url"].GetString()!;

        using var logout = await browser.GetAsync(logoutUrl + "&returnUrl=/bye", antiforgery: false);

        var location = logout.Headers.Location!;
        Assert.StartsWith(_idp.Issuer + "/session/end", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(HostileProvider.ClientId, query["client_id"].ToString());
        Assert.StartsWith("eyJ", query["id_token_hint"].ToString());
        Assert.Equal(_bffUrl + "/signout-callback-oidc", query["post_logout_redirect_uri"].ToString());

        // Coming back with the provider's state lands on the return URL; a forged state on the home page.
        var back = await browser.NavigateAsync("/signout-callback-oidc?state=" + Uri.EscapeDataString(query["state"].ToString()));
        Assert.Equal(new Uri(_bffUrl + "/bye"), back.Url);
        var forged = await browser.NavigateAsync("/signout-callback-oidc?state=forged");
        Assert.Equal(new Uri(_bffUrl + "/"), forged.Url);
    }

    private string LogoutToken(string? typ)
    {
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = _idp.Issuer,
            ["aud"] = HostileProvider.ClientId,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sid"] = "hostile-session",
            ["events"] = new Dictionary<string, object> { ["http://schemas.openid.net/event/backchannel-logout"] = new Dictionary<string, object>() },
        };
        return _idp.Rsa.Sign(claims, new Dictionary<string, object?> { ["typ"] = typ });
    }

    private async Task<HttpStatusCode> PostLogoutTokenAsync(string token)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(_bffUrl + "/bff/backchannel",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["logout_token"] = token }));
        return response.StatusCode;
    }

    [Theory]
    [InlineData("JWT")] // as Keycloak before 25 and other providers type them
    [InlineData(null)]
    [InlineData("logout+jwt")]
    public async Task Back_channel_logout_tokens_typed_jwt_or_untyped_end_the_session(string? typ)
    {
        using var browser = NewBrowser();
        await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.OK, await PostLogoutTokenAsync(LogoutToken(typ)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task Back_channel_logout_tokens_typed_for_access_are_refused()
    {
        using var browser = NewBrowser();
        await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.BadRequest, await PostLogoutTokenAsync(LogoutToken("at+jwt")));

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task The_strict_switch_refuses_logout_tokens_typed_jwt()
    {
        await _bff.DisposeAsync();
        await StartBffAsync("--Bff:BackChannel:RequireLogoutJwtType=true");
        using var browser = NewBrowser();
        await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.BadRequest, await PostLogoutTokenAsync(LogoutToken("JWT")));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, await PostLogoutTokenAsync(LogoutToken("logout+jwt")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task Configure_open_id_connect_changes_the_handler_and_keeps_the_bffs_checks()
    {
        await _bff.DisposeAsync();
        var seen = new List<string>();
        await StartBffAsync(bff => bff.ConfigureOpenIdConnect(o =>
        {
            o.Prompt = "consent";
            o.AdditionalAuthorizationParameters["ui_locales"] = "de";
            o.Events.OnTokenValidated = context =>
            {
                seen.Add(context.Principal!.FindFirst("sub")!.Value);
                return Task.CompletedTask;
            };
        }));
        using var browser = NewBrowser();

        var authorize = await StartSignInAsync(browser);
        Assert.Equal("consent", authorize["prompt"]);
        Assert.Equal("de", authorize["ui_locales"]);
        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(Callback(authorize, _idp.IssueCode(authorize), _idp.Issuer))).Status);
        Assert.Equal(["alice"], seen);

        // The user's event runs after the BFF's nonce check, which still refuses a forged answer.
        _idp.ChangeClaims = c => c["nonce"] = "attacker-nonce";
        using var other = NewBrowser();
        await AssertRefusedAsync(other, await SignInAsync(other), "nonce");
        Assert.Equal(["alice"], seen);
    }

    [Fact]
    public async Task An_apps_sign_out_delegate_can_name_a_logout_endpoint_discovery_lacks()
    {
        _idp.HasEndSessionEndpoint = false; // Amazon Cognito, with the README's snippet
        await _bff.DisposeAsync();
        await StartBffAsync(bff => bff.ConfigureOpenIdConnect(o => o.Events.OnRedirectToIdentityProviderForSignOut = context =>
        {
            context.ProtocolMessage.IssuerAddress = _idp.Issuer + "/logout";
            context.ProtocolMessage.SetParameter("logout_uri", context.ProtocolMessage.PostLogoutRedirectUri);
            return Task.CompletedTask;
        }));
        using var browser = NewBrowser();
        await SignInAsync(browser);
        var logoutUrl = (await browser.UserAsync())["bff:logout_url"].GetString()!;

        using var logout = await browser.GetAsync(logoutUrl, antiforgery: false);

        Assert.StartsWith(_idp.Issuer + "/logout?", logout.Headers.Location!.ToString());
        var query = QueryHelpers.ParseQuery(logout.Headers.Location.Query);
        Assert.Equal(HostileProvider.ClientId, query["client_id"].ToString());
        Assert.Equal(_bffUrl + "/signout-callback-oidc", query["logout_uri"].ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/bff/user")).StatusCode);
    }
}
