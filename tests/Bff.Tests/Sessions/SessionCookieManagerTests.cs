using Bff.Sessions;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Sessions;

public sealed class SessionCookieManagerTests
{
    private static DefaultHttpContext Context(string scheme, string? cookie = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = cookie;
        }

        return context;
    }

    [Theory]
    [InlineData("https", "__Host-bff")]
    [InlineData("http", "bff")]
    public void Cookie_name_gets_the_host_prefix_over_https(string scheme, string expected)
    {
        Assert.Equal(expected, SessionCookieManager.NameFor(Context(scheme), "bff"));
    }

    [Fact]
    public void Over_https_an_unprefixed_cookie_is_ignored()
    {
        // A cookie without the prefix could have been planted by a sibling subdomain or over plain HTTP.
        var context = Context("https", "bff=planted; __Host-bff=real");

        Assert.Equal("real", new SessionCookieManager().GetRequestCookie(context, "bff"));
        Assert.Null(new SessionCookieManager().GetRequestCookie(Context("https", "bff=planted"), "bff"));
    }

    [Fact]
    public void Over_https_the_response_cookie_is_prefixed()
    {
        var context = Context("https");

        new SessionCookieManager().AppendResponseCookie(context, "bff", "value", new CookieOptions { Secure = true, Path = "/", HttpOnly = true });

        var header = context.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("__Host-bff=value", header, StringComparison.Ordinal);
        Assert.Contains("secure", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain", header, StringComparison.OrdinalIgnoreCase);
    }
}
