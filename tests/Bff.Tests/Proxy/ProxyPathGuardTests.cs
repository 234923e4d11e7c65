
namespace Bff.Tests.Proxy;

public sealed class ProxyPathGuardTests
{
    [Theory]
    [InlineData("/api/whoami")]
    [InlineData("/api/orders/42")]
    [InlineData("/api/orders/42/")]
    [InlineData("/api/orders?id=42")]
    [InlineData("/api/search?q=a%2Fb&next=//x&path=../etc")]
    [InlineData("/api/files/report.v2.pdf")]
    [InlineData("/api/...")]
    [InlineData("/api/.well-known/x")]
    [InlineData("/api/..x/y")]
    [InlineData("/api/a%20b")]
    [InlineData("/api/caf%C3%A9")]
    [InlineData("/api/matrix;a=1/x")]
    [InlineData("/")]
    public void Ordinary_paths_are_forwarded(string target)
    {
        Assert.True(ProxyPathGuard.IsSafe(target));
    }

    [Theory]
    [InlineData("/api/..%2fbff/user")]
    [InlineData("/api/..%2Fbff/user")]
    [InlineData("/api/a%2fb")]
    [InlineData("/api/x%5c..%5csecret")]
    [InlineData("/api/x%5C..")]
    [InlineData("/api/%2e%2e/open-api/echo")]
    [InlineData("/api/%2E%2E/secret")]
    [InlineData("/api/.%2e/secret")]
    [InlineData("/api/%2e/secret")]
    [InlineData("/api/x%00")]
    [InlineData("/api/%252e%252e/secret")]
    [InlineData("/api/%252f")]
    [InlineData("/api/..%3b/x")]
    [InlineData("/api/x%3Bjsessionid=1")]
    [InlineData("/api/%u002e%u002e/x")]
    [InlineData("/api/%U2215x")]
    public void Encoded_separators_dots_and_nul_are_refused(string target)
    {
        Assert.False(ProxyPathGuard.IsSafe(target));
    }

    [Theory]
    [InlineData("/api/../bff/user")]
    [InlineData("/api/./whoami")]
    [InlineData("/api/x/..")]
    [InlineData("/api/x/.")]
    [InlineData("/..")]
    [InlineData("/api/x/../../y?z=1")]
    [InlineData("/api/..;/x")]
    [InlineData("/api/..;jsessionid=1/secret")]
    [InlineData("/api/.;/whoami")]
    public void Dot_segments_are_refused(string target)
    {
        Assert.False(ProxyPathGuard.IsSafe(target));
    }

    [Theory]
    [InlineData("//evil.example/api")]
    [InlineData("/api//whoami")]
    [InlineData("/api/x//")]
    [InlineData("/api\\..\\bff")]
    [InlineData("/api/x\\y")]
    public void Empty_segments_and_backslashes_are_refused(string target)
    {
        Assert.False(ProxyPathGuard.IsSafe(target));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("api/whoami")]
    [InlineData("http://evil.example/api/whoami")]
    [InlineData("evil.example:443")]
    [InlineData("?x=/api")]
    public void Targets_that_are_not_origin_form_paths_are_refused(string target)
    {
        Assert.False(ProxyPathGuard.IsSafe(target));
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("a\u0000b")]
    [InlineData("line\nbreak")]
    [InlineData("\u2603")]
    public void Header_values_that_are_not_printable_ascii_are_named(string value)
    {
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary { ["Accept"] = "application/json", ["X-Name"] = value };
        Assert.Equal("X-Name", ProxyPathGuard.FirstUnsendableHeader(headers));
    }

    // Never forwarded, so never in the way: a cookie that another app on the parent domain set with a
    // non-ASCII value must not stop every API call with a 400 the SPA cannot fix.
    [Theory]
    [InlineData("Cookie")]
    [InlineData("cookie")]
    [InlineData("Authorization")]
    [InlineData("X-Original-URL")]
    [InlineData("True-Client-IP")]
    [InlineData("X-Forwarded-Port")]
    [InlineData("X-Auth-Request-User")]
    public void Headers_that_are_never_forwarded_are_not_looked_at(string name) =>
        Assert.Null(ProxyPathGuard.FirstUnsendableHeader(new Microsoft.AspNetCore.Http.HeaderDictionary { [name] = "caf\u00e9" }));

    [Fact]
    public void Printable_ascii_and_tabs_pass() =>
        Assert.Null(ProxyPathGuard.FirstUnsendableHeader(new Microsoft.AspNetCore.Http.HeaderDictionary { ["X-A"] = "a b\tc ~!" }));
}
