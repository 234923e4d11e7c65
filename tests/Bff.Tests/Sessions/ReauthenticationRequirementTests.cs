using System.Net;
using Bff.Tests.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Sessions;

/// <summary>Which ended sessions make the next sign-in in their browser ask for the password (prompt=login).</summary>
public sealed class ReauthenticationRequirementTests
{
    private static async Task<string?> PromptAsync(InProcessBff bff, string? cookie)
    {
        var context = new DefaultHttpContext { RequestServices = bff.Services };
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = cookie;
        }

        var properties = new AuthenticationProperties();
        await bff.Services.GetRequiredService<ReauthenticationRequirement>().ApplyAsync(context, properties);
        var prompt = properties.GetParameter<string>(ReauthenticationRequirement.PromptParameter);
        // With max_age=0 the provider must say in the id_token when the user authenticated (auth_time).
        Assert.Equal(prompt is null ? null : "0", properties.GetParameter<string>("max_age"));
        return prompt;
    }

    /// <summary>Ends the one session of <paramref name="subject"/>.</summary>
    private static async Task EndAsync(InProcessBff bff, SessionEndReason reason, string subject = "alice")
    {
        var store = bff.Services.GetRequiredService<ISessionStore>();
        var session = Assert.Single(await store.GetBySubjectAsync(subject, default));
        Assert.True(await bff.Services.GetRequiredService<SessionTerminator>().EndAsync(session.Id, reason));
    }

    [Theory]
    [InlineData(SessionEndReason.EndedFromOtherSession)]
    [InlineData(SessionEndReason.SignOutEverywhere)]
    [InlineData(SessionEndReason.BackChannel)]
    public async Task A_session_ended_elsewhere_makes_its_browser_log_in_again(SessionEndReason reason)
    {
        await using var bff = await InProcessBff.StartAsync();
        var cookie = await bff.SignInAsync();
        Assert.Null(await PromptAsync(bff, cookie));

        await EndAsync(bff, reason);

        Assert.Equal("login", await PromptAsync(bff, cookie));
        // Telling the reason once (the 401 session_ended) does not use up the requirement.
        using var told = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, told.StatusCode);
        Assert.Contains("session_ended", await told.Content.ReadAsStringAsync());
        Assert.Equal("login", await PromptAsync(bff, cookie));
    }

    [Theory]
    [InlineData(SessionEndReason.SignOut)]
    [InlineData(SessionEndReason.IdleTimeout)]
    [InlineData(SessionEndReason.AbsoluteLifetime)]
    [InlineData(SessionEndReason.RefreshFailed)]
    [InlineData(SessionEndReason.Replaced)]
    public async Task Other_ends_keep_single_sign_on(SessionEndReason reason)
    {
        await using var bff = await InProcessBff.StartAsync();
        var cookie = await bff.SignInAsync();

        await EndAsync(bff, reason);

        Assert.Null(await PromptAsync(bff, cookie));
    }

    [Fact]
    public async Task An_idle_timeout_seen_by_a_request_keeps_single_sign_on()
    {
        await using var bff = await InProcessBff.StartAsync(new Dictionary<string, string?> { ["Bff:Session:IdleTimeout"] = "00:10:00" });
        var cookie = await bff.SignInAsync();
        bff.Time.Advance(TimeSpan.FromMinutes(11));

        using var response = await bff.SendAsync(HttpMethod.Get, "/bff/user", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        Assert.Null(await PromptAsync(bff, cookie));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bff=")]
    [InlineData("bff=not-a-protected-value")]
    [InlineData("bff=AAAA; other=1")]
    public async Task No_cookie_or_a_forged_one_asks_for_nothing_and_does_not_fail(string? cookie)
    {
        await using var bff = await InProcessBff.StartAsync();

        Assert.Null(await PromptAsync(bff, cookie));
    }

    [Fact]
    public async Task Another_browsers_end_does_not_affect_this_one()
    {
        await using var bff = await InProcessBff.StartAsync();
        var ended = await bff.SignInAsync("bob");
        var bystander = await bff.SignInAsync("carol");
        await EndAsync(bff, SessionEndReason.BackChannel, "bob");

        Assert.Equal("login", await PromptAsync(bff, ended));
        Assert.Null(await PromptAsync(bff, bystander));
    }
}
