using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Bff.Tests.Integration;

namespace Bff.Tests.SecondProvider;

/// <summary>
/// Sign-in, API calls, refresh with rotation, RP-initiated and back-channel logout against a second,
/// independent OpenID provider: OpenIddict's server, started as its own process.
/// </summary>
public sealed class OpenIddictProviderTests(OpenIddictStackFixture fixture) : IClassFixture<OpenIddictStackFixture>
{
    private TestStack Stack => fixture.Stack;

    private OpenIddictTestProvider Provider => fixture.Provider;

    [Fact]
    public async Task Sign_in_goes_through_the_real_callback_and_the_user_endpoint_shows_the_user()
    {
        using var browser = Stack.NewBrowser();
        var landed = await browser.SignInAsync("oi-alice", "/after-login");

        Assert.Equal(new Uri(new Uri(Stack.BffUrl), "/after-login"), landed.Url);
        var authorize = Assert.Single(landed.Hops, hop => hop.AbsolutePath == "/connect/authorize" && hop.Query.Contains("code_challenge="));
        Assert.Contains("code_challenge_method=S256", authorize.Query);
        Assert.Equal("/signin-oidc", browser.LastCallbackUrl?.AbsolutePath);
        // OpenIddict names itself in the authorization response (RFC 9207), with its trailing-slash issuer.
        Assert.Contains("iss=" + Uri.EscapeDataString(Provider.Authority), browser.LastCallbackUrl!.Query);

        var user = await browser.UserAsync();
        Assert.Equal("oi-alice", user["sub"].GetString());
        Assert.Equal("oi-alice", user["name"].GetString());
        Assert.StartsWith("/bff/logout?sid=", user["bff:logout_url"].GetString());
        Assert.DoesNotContain(user.Keys, k => k.Contains("token", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_proxied_call_carries_an_openiddict_access_token_the_api_accepts()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("oi-api");

        var whoami = await browser.GetJsonAsync("/api/whoami");

        // The demo API validated signature, issuer, audience and lifetime against OpenIddict's discovery and keys.
        Assert.Equal("oi-api", whoami.GetProperty("sub").GetString());
        Assert.Contains("api", whoami.GetProperty("aud").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("api", whoami.GetProperty("scope").GetString()!.Split(' '));
        Assert.InRange(whoami.GetProperty("exp").GetInt64() - whoami.GetProperty("iat").GetInt64(), 1, OpenIddictStackFixture.AccessTokenSeconds);
    }

    [Fact]
    public async Task A_due_access_token_is_refreshed_and_the_refresh_token_rotates()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("oi-rotate");
        var before = await browser.GetJsonAsync("/api/whoami");
        var firstRefreshToken = await TokenRefreshTests.StoredRefreshTokenAsync(Stack, "oi-rotate");

        fixture.MakeTokensDue();
        var after = await browser.GetJsonAsync("/api/whoami");

        Assert.NotEqual(before.GetProperty("jti").GetString(), after.GetProperty("jti").GetString());
        Assert.Equal("oi-rotate", after.GetProperty("sub").GetString());
        var secondRefreshToken = await TokenRefreshTests.StoredRefreshTokenAsync(Stack, "oi-rotate");
        Assert.NotEqual(firstRefreshToken, secondRefreshToken);

        // The rotated-out token is spent at the provider.
        var (status, body) = await Provider.RefreshAsync(firstRefreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Twenty_concurrent_calls_with_a_due_token_share_one_refresh()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("oi-many");
        var before = await browser.GetJsonAsync("/api/whoami");
        fixture.MakeTokensDue();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => browser.GetAsync("/api/whoami")));

        // A second refresh with the same token would be a reuse, which OpenIddict (no leeway) answers by revoking
        // the whole grant: one token for all twenty calls, and a session that keeps working, shows one refresh.
        Assert.NotEqual(before.GetProperty("jti").GetString(), await TokenRefreshTests.SingleTokenIdAsync(answers));
        fixture.MakeTokensDue();
        var next = await browser.GetJsonAsync("/api/whoami");
        Assert.Equal("oi-many", next.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task A_replayed_rotated_refresh_token_is_refused_and_unlike_the_node_provider_the_grant_lives_on()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("oi-replay");
        await browser.GetJsonAsync("/api/whoami");
        var stolen = await TokenRefreshTests.StoredRefreshTokenAsync(Stack, "oi-replay");
        fixture.MakeTokensDue();
        await browser.GetJsonAsync("/api/whoami");

        // An attacker replays the rotated-out token: refused.
        var (status, _) = await Provider.RefreshAsync(stolen);
        Assert.Equal(HttpStatusCode.BadRequest, status);

        // A quirk (see the README's providers): this provider does not revoke the rest of the grant on a replay,
        // so the BFF's own refresh token keeps working and the session goes on. The node provider revokes it.
        fixture.MakeTokensDue();
        using var call = await browser.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
    }

    [Fact]
    public async Task Rp_initiated_logout_ends_the_session_at_the_bff_and_the_provider_and_revokes_the_refresh_token()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("oi-logout");
        var oldCookie = browser.SessionCookie!.Value;
        var refreshToken = await TokenRefreshTests.StoredRefreshTokenAsync(Stack, "oi-logout");

        var page = await browser.SignOutAsync("/bye");

        Assert.Equal(new Uri(new Uri(Stack.BffUrl), "/bye"), page.Url);
        Assert.Contains(page.Hops, hop => hop.AbsolutePath == "/connect/endsession");
        Assert.Contains(page.Hops, hop => hop.AbsolutePath == "/signout-callback-oidc");

        using var replay = Stack.NewBrowser();
        replay.Cookies.Add(new Uri(Stack.BffUrl), new Cookie("bff", oldCookie));
        using var response = await replay.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var (status, body) = await Provider.RefreshAsync(refreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());

        var login = await browser.NavigateAsync("/bff/login");
        Assert.True(login.Form()?.Fields.ContainsKey("login"), "the provider should ask for credentials again");
    }

    [Fact]
    public async Task Signing_out_at_the_provider_ends_the_bff_session_by_back_channel_logout()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("oi-backchannel");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);

        // Signing out at the provider itself, not through the BFF: the provider posts a logout token (typ JWT).
        var confirm = (await browser.NavigateAsync(Provider.SignOutPageUrl)).Form()!;
        var signedOut = await browser.NavigateAsync(confirm.Action.ToString(), HttpMethod.Post, confirm.Fields);
        Assert.Equal(HttpStatusCode.OK, signedOut.Status);

        using var user = await browser.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        using var api = await browser.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Empty(await Stack.BffServices().GetRequiredService<ISessionStore>().GetBySubjectAsync("oi-backchannel", CancellationToken.None));
    }

    [Fact]
    public async Task Users_are_kept_apart_and_one_users_logout_leaves_the_other_signed_in()
    {
        using var alice = Stack.NewBrowser();
        using var bob = Stack.NewBrowser();
        await alice.SignInAsync("oi-iso-alice");
        await bob.SignInAsync("oi-iso-bob");

        Assert.Equal("oi-iso-alice", (await alice.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
        Assert.Equal("oi-iso-bob", (await bob.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
        Assert.Equal("oi-iso-bob", (await bob.UserAsync())["sub"].GetString());

        var confirm = (await alice.NavigateAsync(Provider.SignOutPageUrl)).Form()!;
        await alice.NavigateAsync(confirm.Action.ToString(), HttpMethod.Post, confirm.Fields);

        using var aliceUser = await alice.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, aliceUser.StatusCode);
        Assert.Equal("oi-iso-bob", (await bob.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
    }
}
