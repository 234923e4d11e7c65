using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Sessions;

/// <summary>What a browser navigation that needs a signed-in user is sent to.</summary>
public sealed class SessionCookieEventsTests
{
    // /bff/login reads returnUrl relative to the path base and puts the path base back itself.
    [Theory]
    [InlineData("", "/orders", "?x=1", "/bff/login?returnUrl=%2Forders%3Fx%3D1")]
    [InlineData("/app", "/orders", "?x=1", "/app/bff/login?returnUrl=%2Forders%3Fx%3D1")]
    [InlineData("/app", "/", "", "/app/bff/login?returnUrl=%2F")]
    [InlineData("/app", "", "?x=1", "/app/bff/login?returnUrl=%2F%3Fx%3D1")]
    public async Task A_navigation_goes_to_sign_in_and_comes_back_to_where_it_was(string pathBase, string path, string query, string expected) =>
        Assert.Equal(expected, await RedirectToLoginAsync(pathBase, path, query));

    [Fact]
    public async Task A_query_too_long_to_come_back_through_the_provider_is_dropped_and_the_page_kept() =>
        Assert.Equal("/bff/login?returnUrl=%2Forders", await RedirectToLoginAsync("", "/orders", "?q=" + new string('x', 3000)));

    private static async Task<string> RedirectToLoginAsync(string pathBase, string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.PathBase = pathBase;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        context.Request.Headers["Sec-Fetch-Mode"] = "navigate";
        var scheme = new AuthenticationScheme(BffDefaults.CookieScheme, null, typeof(CookieAuthenticationHandler));

        await SessionCookieEvents.Create().RedirectToLogin(
            new RedirectContext<CookieAuthenticationOptions>(context, scheme, new CookieAuthenticationOptions(), new AuthenticationProperties(), "ignored"));

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        return context.Response.Headers.Location.ToString();
    }
}
