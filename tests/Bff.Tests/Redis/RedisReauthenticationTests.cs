using System.Net;

namespace Bff.Tests.Redis;

/// <summary>
/// With Redis, what one instance learns when a session is ended elsewhere reaches the instance that next sees
/// the browser: its <c>/bff/login</c> asks the provider for <c>prompt=login</c>.
/// </summary>
public sealed class RedisReauthenticationTests(RedisStackFixture fixture) : IClassFixture<RedisStackFixture>
{
    /// <summary>The <c>prompt</c> of the authorization request <c>/bff/login</c> sends this browser with (pushed or not), if any.</summary>
    private async Task<string?> PromptAsync(BrowserClient browser)
    {
        using var login = await browser.GetAsync("/bff/login?returnUrl=%2F", antiforgery: false);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return (await fixture.Stack.Idp.AuthorizeParametersAsync(login.Headers.Location!)).GetValueOrDefault("prompt");
    }

    [Fact]
    public async Task A_session_ended_on_one_instance_asks_for_the_password_on_the_other()
    {
        var stack = fixture.Stack;
        using var laptop = stack.NewBrowser(0);
        using var phone = stack.NewBrowser(0);
        await laptop.SignInAsync("redis-rosa");
        await phone.SignInAsync("redis-rosa");

        using var others = await laptop.SendAsync(HttpMethod.Delete, "/bff/sessions/others");
        Assert.Equal(HttpStatusCode.NoContent, others.StatusCode);

        phone.BffUrl = stack.BffUrlOf(1);
        Assert.Equal("login", await PromptAsync(phone));
        laptop.BffUrl = stack.BffUrlOf(1);
        Assert.Null(await PromptAsync(laptop));
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/bff/user")).StatusCode);
    }
}
