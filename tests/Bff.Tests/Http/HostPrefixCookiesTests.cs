using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Http;

/// <summary>The <c>__Host-</c> rules for the BFF's cookies, through the request and response halves as the edge runs them.</summary>
public sealed class HostPrefixCookiesTests
{
    private static readonly HostPrefixCookies Cookies = new(Options.Create(new BffOptions()));

    /// <summary>Runs the two halves around an app that reads <paramref name="read"/> and sets <paramref name="set"/>.</summary>
    private static async Task<(IRequestCookieCollection Seen, string SetCookie)> RunAsync(string scheme, string? cookieHeader, params string[] set)
    {
        var app = new ApplicationBuilder(new ServiceCollection().AddLogging().BuildServiceProvider());
        app.Use(Cookies.InvokeAsync);
        app.UseCookiePolicy(Cookies.ResponsePolicy());
        IRequestCookieCollection? seen = null;
        app.Run(context =>
        {
            seen = context.Request.Cookies;
            foreach (var name in set)
            {
                context.Response.Cookies.Append(name, "v", new CookieOptions { Path = "/signin-oidc", HttpOnly = true, Domain = "example.com" });
            }

            return Task.CompletedTask;
        });

        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        if (cookieHeader is not null)
        {
            context.Request.Headers.Cookie = cookieHeader;
        }

        await app.Build()(context);
        return (seen!, context.Response.Headers.SetCookie.ToString());
    }

    [Fact]
    public async Task Over_https_only_prefixed_bff_cookies_are_believed_and_read_under_their_plain_names()
    {
        var (seen, _) = await RunAsync("https", "bff=planted; __Host-bff=real; theme=dark; .AspNetCore.Correlation.x=planted");

        Assert.Equal("real", seen["bff"]);
        Assert.Null(seen[".AspNetCore.Correlation.x"]);
        // The app's own cookies are not the BFF's business.
        Assert.Equal("dark", seen["theme"]);
    }

    [Fact]
    public async Task Over_plain_http_cookies_are_left_alone()
    {
        var (seen, set) = await RunAsync("http", "bff=dev", "bff");

        Assert.Equal("dev", seen["bff"]);
        Assert.StartsWith("bff=v", set, StringComparison.Ordinal);
        Assert.DoesNotContain("secure", set, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("bff")]
    [InlineData(".AspNetCore.Correlation.abc")]
    [InlineData(".AspNetCore.OpenIdConnect.Nonce.xyz")]
    public async Task Over_https_every_bff_cookie_goes_out_host_prefixed_secure_on_path_root_without_domain(string name)
    {
        var (_, set) = await RunAsync("https", null, name);

        Assert.StartsWith("__Host-" + name + "=v", set, StringComparison.Ordinal);
        Assert.Contains("secure", set, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", set + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain", set, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Over_https_the_apps_own_cookies_keep_their_names()
    {
        var (_, set) = await RunAsync("https", null, "theme");

        Assert.StartsWith("theme=v", set, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bff", true)]
    [InlineData("bffC1", true)]
    [InlineData("bffC", false)]
    [InlineData("bffy", false)]
    [InlineData(".AspNetCore.Correlation.k", true)]
    [InlineData("session", false)]
    public void The_bffs_cookies_are_known_by_name(string name, bool bff) =>
        Assert.Equal(bff, Cookies.IsBffCookie(name));
}
