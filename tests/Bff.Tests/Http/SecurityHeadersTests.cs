using System.Net;
using Bff.Tests.Endpoints;

namespace Bff.Tests.Http;

public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task Html_pages_get_the_content_security_policy_and_no_store()
    {
        await using var bff = await InProcessBff.StartAsync();
        using var response = await bff.SendAsync(HttpMethod.Get, "/page", antiforgery: false);

        Assert.Equal(SecurityHeadersMiddleware.SpaContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("frame-ancestors 'none'", SecurityHeadersMiddleware.SpaContentSecurityPolicy);
        Assert.Contains("default-src 'self'", SecurityHeadersMiddleware.SpaContentSecurityPolicy);
        Assert.True(response.Headers.CacheControl?.NoStore);
        AssertEverywhereHeaders(response);
    }

    [Fact]
    public async Task Bff_endpoints_are_never_cached_and_json_gets_no_csp()
    {
        await using var bff = await InProcessBff.StartAsync();
        var cookie = await bff.SignInAsync();
        using var response = await bff.SendAsync(HttpMethod.Get, "/bff/sessions", cookie);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        AssertEverywhereHeaders(response);
    }

    [Fact]
    public async Task Other_responses_get_nosniff_and_no_referrer_but_keep_their_caching()
    {
        await using var bff = await InProcessBff.StartAsync();
        using var response = await bff.SendAsync(HttpMethod.Get, "/assets/app.js", antiforgery: false);

        Assert.Null(response.Headers.CacheControl);
        AssertEverywhereHeaders(response);
    }

    private static void AssertEverywhereHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
    }
}
