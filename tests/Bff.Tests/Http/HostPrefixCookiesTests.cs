using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Bff.Tests.Http;

/// <summary>The <c>__Host-</c> rules for the BFF's cookies, through the request and response halves as the edge runs them.</summary>
public sealed class HostPrefixCookiesTests
{
    private static readonly HostPrefixCookies Cookies = new(Options.Create(new BffOptions()));

    /// <summary>Runs the two halves around an app that reads <paramref name="read"/> and sets <paramref name="set"/>.</summary>
    private static async Task<(IRequestCookieCollection Seen, string SetCookie)> RunAsync(string scheme, StringValues cookieHeader, params string[] set)
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
        if (cookieHeader.Count > 0)
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

    // The framework reads cookie names case-insensitively and lets the last one win: a planted "BFF" (a sibling
    // subdomain or a plain-HTTP response can set one for this host) would be read as the session cookie.
    [Theory]
    [InlineData("__Host-bff=real; BFF=planted")]
    [InlineData("__Host-bff=real; Bff=planted; theme=dark")]
    [InlineData("__Host-bff=real; __HOST-bff=planted")]
    [InlineData("__Host-bff=real; __host-BFF=planted")]
    [InlineData("__Host-bff=real; __Host-BFF=planted")]
    [InlineData("__Host-bff=real; BFFc1=planted")]
    public async Task Over_https_a_bff_cookie_under_another_letter_case_is_not_believed(string header)
    {
        var (seen, _) = await RunAsync("https", header);

        Assert.Equal("real", seen["bff"]);
        Assert.Null(seen["bffC1"]);
    }

    [Fact]
    public async Task Over_https_a_sign_in_cookie_under_another_letter_case_is_not_believed()
    {
        var (seen, _) = await RunAsync("https", "__Host-.AspNetCore.Correlation.k=real; .aspnetcore.correlation.k=planted");

        Assert.Equal("real", seen[".AspNetCore.Correlation.k"]);
    }

    // Over HTTP/2 a browser may send its cookies as several header lines: each is read, none is lost.
    [Fact]
    public async Task Over_https_cookies_in_several_header_lines_are_all_read()
    {
        var (seen, _) = await RunAsync("https", new StringValues(["theme=dark", "__Host-bff=real", "bff=planted; lang=en"]));

        Assert.Equal("real", seen["bff"]);
        Assert.Equal("dark", seen["theme"]);
        Assert.Equal("en", seen["lang"]);
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
        var (_, set) = await RunAsync("https", StringValues.Empty, name);

        Assert.StartsWith("__Host-" + name + "=v", set, StringComparison.Ordinal);
        Assert.Contains("secure", set, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", set + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain", set, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Over_https_the_apps_own_cookies_keep_their_names()
    {
        var (_, set) = await RunAsync("https", StringValues.Empty, "theme");

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

    [Theory]
    [InlineData("BFF", false, true)]
    [InlineData("bffc2", false, true)]
    [InlineData(".aspnetcore.openidconnect.nonce.n", false, true)]
    [InlineData("bff", true, true)]
    public void Ignoring_case_the_bffs_cookies_are_known_in_any_letter_case(string name, bool exact, bool ignoringCase)
    {
        Assert.Equal(exact, Cookies.IsBffCookie(name));
        Assert.Equal(ignoringCase, Cookies.IsBffCookie(name, StringComparison.OrdinalIgnoreCase));
    }
}
