using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Integration;

/// <summary>
/// A stack whose BFF runs on a clock the test moves: an access token falls due when the test says so, and the
/// refresh then happens for real at the real provider.
/// </summary>
public sealed class ShortTokenStackFixture : StackFixture
{
    public const int AccessTokenSeconds = 60;

    /// <summary>The BFF's clock: real time, moved ahead by the tests.</summary>
    public ShiftableClock Clock { get; } = new();

    protected override TestStackOptions Options => new() { AccessTokenLifetimeSeconds = AccessTokenSeconds, Clock = Clock };
}

/// <summary>Access tokens stay fresh through real refreshes at the real provider.</summary>
public sealed class TokenRefreshTests(ShortTokenStackFixture fixture) : IClassFixture<ShortTokenStackFixture>
{
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Twenty_concurrent_calls_with_a_due_token_cause_exactly_one_refresh()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("refresh-many");
        var before = await browser.GetJsonAsync("/api/whoami");
        MakeTokensDue(fixture.Clock);
        var refreshesBefore = await Stack.Idp.GrantCountAsync("refresh_token");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => browser.GetAsync("/api/whoami")));

        Assert.NotEqual(before.GetProperty("jti").GetString(), await SingleTokenIdAsync(answers));
        Assert.Equal(refreshesBefore + 1, await Stack.Idp.GrantCountAsync("refresh_token"));
    }

    [Fact]
    public async Task A_token_that_is_not_due_is_reused_without_asking_the_provider()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("no-refresh");
        var refreshesBefore = await Stack.Idp.GrantCountAsync("refresh_token");

        var first = await browser.GetJsonAsync("/api/whoami");
        var second = await browser.GetJsonAsync("/api/whoami");

        Assert.Equal(first.GetProperty("jti").GetString(), second.GetProperty("jti").GetString());
        Assert.Equal(refreshesBefore, await Stack.Idp.GrantCountAsync("refresh_token"));
    }

    [Fact]
    public async Task A_revoked_grant_ends_the_session_with_a_reason_code()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("revoked-user");
        var before = await browser.GetJsonAsync("/api/whoami");

        await Stack.Idp.RevokeGrantsAsync("revoked-user");
        MakeTokensDue(fixture.Clock);

        using var call = await browser.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
        Assert.Equal("application/problem+json", call.Content.Headers.ContentType?.MediaType);
        Assert.Equal("session_ended", JsonDocument.Parse(await call.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        using var user = await browser.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    [Fact]
    public async Task Client_route_works_anonymously_with_one_shared_client_token()
    {
        using var browser = Stack.NewBrowser();
        var fetchesBefore = await Stack.Idp.GrantCountAsync("client_credentials");

        var first = await browser.GetJsonAsync("/public-api/whoami");
        var second = await browser.GetJsonAsync("/public-api/whoami");

        Assert.Equal("bff", first.GetProperty("client_id").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("sub").ValueKind);
        Assert.Equal(first.GetProperty("jti").GetString(), second.GetProperty("jti").GetString());
        Assert.Equal(fetchesBefore + 1, await Stack.Idp.GrantCountAsync("client_credentials"));
    }

    [Fact]
    public async Task A_client_route_without_the_anonymous_opt_in_serves_signed_in_callers_only()
    {
        using var anonymous = Stack.NewBrowser();
        using var refused = await anonymous.GetAsync("/members-client-api/whoami");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);

        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("members-client");
        var asClient = await browser.GetJsonAsync("/members-client-api/whoami");
        Assert.Equal("bff", asClient.GetProperty("client_id").GetString());
        Assert.Equal(JsonValueKind.Null, asClient.GetProperty("sub").ValueKind);
    }

    [Fact]
    public async Task User_or_client_route_uses_the_users_token_when_signed_in_and_the_clients_otherwise()
    {
        using var anonymous = Stack.NewBrowser();
        var asClient = await anonymous.GetJsonAsync("/maybe-user-api/whoami");
        Assert.Equal(JsonValueKind.Null, asClient.GetProperty("sub").ValueKind);

        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("maybe-user");
        var asUser = await browser.GetJsonAsync("/maybe-user-api/whoami");
        Assert.Equal("maybe-user", asUser.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Sign_out_revokes_the_refresh_token_at_the_provider()
    {
        using var browser = Stack.NewBrowser();
        await browser.SignInAsync("revoke-on-signout");
        var refreshToken = await StoredRefreshTokenAsync("revoke-on-signout");

        await browser.SignOutAsync();

        var (status, body) = await Stack.Idp.RefreshAsync(refreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    private Task<string> StoredRefreshTokenAsync(string subject) => StoredRefreshTokenAsync(Stack, subject);

    /// <summary>The refresh token the BFF holds for the user's one session, read from the store and decrypted.</summary>
    internal static async Task<string> StoredRefreshTokenAsync(TestStack stack, string subject)
    {
        var services = stack.BffServices();
        var store = services.GetRequiredService<ISessionStore>();
        var session = await store.GetAsync(Assert.Single(await store.GetBySubjectAsync(subject, CancellationToken.None)).Id, CancellationToken.None);
        var ticket = services.GetRequiredService<SessionTicketProtector>().Unprotect(session!.Ticket, session.Id)!;
        return ticket.Properties.GetTokenValue(SessionTokens.RefreshTokenName)!;
    }

    /// <summary>Asserts every answer is 200 and all carry one and the same access token; returns its <c>jti</c>.</summary>
    internal static async Task<string> SingleTokenIdAsync(IEnumerable<HttpResponseMessage> answers)
    {
        var jtis = new List<string>();
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            jtis.Add(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("jti").GetString()!);
        }

        return Assert.Single(jtis.Distinct());
    }

    /// <summary>
    /// Moves the BFF's clock until the tokens it received are due: with at most half a token's lifetime ahead
    /// (<see cref="ShortTokenStackFixture.AccessTokenSeconds"/>), the BFF refreshes before forwarding.
    /// </summary>
    internal static void MakeTokensDue(ShiftableClock clock) =>
        clock.Advance(TimeSpan.FromSeconds(ShortTokenStackFixture.AccessTokenSeconds / 2 + 1));
}
