using System.Net;
using Bff.Tests.Oidc;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Proxy;

/// <summary>
/// An API's answer reaches the browser on the BFF's origin: headers that act on that whole origin (its cookies, its
/// service workers, how a CDN caches it, the SPA's session countdown) are the BFF's, never the API's, and a proxied
/// answer runs under the BFF's strict Content-Security-Policy, whatever the API says.
/// </summary>
public sealed class ResponseHeadersTests : IAsyncLifetime
{
    private static readonly string[] OriginWide =
    [
        "Clear-Site-Data", "Service-Worker-Allowed", "Refresh", "CDN-Cache-Control", "Surrogate-Control",
        "Strict-Transport-Security", "NEL", "Report-To", "Content-Security-Policy-Report-Only", "Bff-Session-Expires-In",
    ];

    private LocalHttpServer _api = null!;
    private ProxiedBff _bff = null!;

    public async Task InitializeAsync()
    {
        // Answers with the status and content type asked for, and every origin-wide header set to something hostile.
        _api = await LocalHttpServer.StartAsync(async context =>
        {
            var response = context.Response;
            response.StatusCode = int.Parse(context.Request.Query["status"].ToString() is { Length: > 0 } status ? status : "200");
            response.ContentType = context.Request.Query["type"].ToString() is { Length: > 0 } type ? type : "application/json";
            response.Headers["Clear-Site-Data"] = "\"*\"";
            response.Headers["Service-Worker-Allowed"] = "/";
            response.Headers["Refresh"] = "0; url=https://evil.example/";
            response.Headers["CDN-Cache-Control"] = "public, max-age=86400";
            response.Headers["Surrogate-Control"] = "max-age=86400";
            response.Headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains; preload";
            response.Headers["NEL"] = "{\"report_to\":\"api\",\"max_age\":31536000,\"include_subdomains\":true,\"success_fraction\":1.0}";
            response.Headers["Report-To"] = "{\"group\":\"api\",\"max_age\":31536000,\"endpoints\":[{\"url\":\"https://evil.example/r\"}]}";
            response.Headers["Content-Security-Policy"] = "script-src * 'unsafe-inline'";
            response.Headers["Content-Security-Policy-Report-Only"] = "default-src 'self'; report-uri https://evil.example/r";
            response.Headers["Bff-Session-Expires-In"] = "28800";
            response.Headers.Location = "/api/orders/42";
            response.Headers["X-Kept"] = "yes";
            await response.WriteAsync(response.ContentType.StartsWith("text/html", StringComparison.Ordinal) ? "<script>alert(1)</script>" : "{}");
        });
        _bff = await ProxiedBff.StartAsync(new Dictionary<string, string> { ["Destinations:d1:Address"] = _api.Url });
    }

    public async Task DisposeAsync()
    {
        await _bff.DisposeAsync();
        await _api.DisposeAsync();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    [Theory]
    [InlineData(201)]
    [InlineData(404)]
    [InlineData(500)]
    public async Task Headers_that_act_on_the_whole_origin_are_not_taken_from_the_api(int status)
    {
        using var browser = _bff.NewBrowser();
        using var response = await browser.GetAsync($"/api/orders?status={status}");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.All(OriginWide, name => Assert.Null(Header(response, name)));
        // What belongs to this answer stays: a 201's Location, the API's own headers.
        Assert.Equal("/api/orders/42", Header(response, "Location"));
        Assert.Equal("yes", Header(response, "X-Kept"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("image/svg+xml")]
    public async Task Every_proxied_answer_gets_the_bffs_strict_content_security_policy_instead_of_the_apis(string type)
    {
        using var browser = _bff.NewBrowser();
        using var response = await browser.GetAsync("/api/files/1?type=" + Uri.EscapeDataString(type));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ResponseHeadersTransform.ContentSecurityPolicy, Header(response, "Content-Security-Policy"));
        Assert.Contains("sandbox", ResponseHeadersTransform.ContentSecurityPolicy);
        Assert.Contains("default-src 'none'", ResponseHeadersTransform.ContentSecurityPolicy);
        Assert.Contains("frame-ancestors 'none'", ResponseHeadersTransform.ContentSecurityPolicy);
    }

    [Fact]
    public async Task The_session_countdown_is_the_bffs_own_on_a_success_and_absent_on_a_failure()
    {
        using var browser = await _bff.SignedInBrowserAsync();

        using var ok = await browser.GetAsync("/api/orders?status=200");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        // The default idle timeout is 15 minutes: the API's 28800 (eight hours) is not what the SPA is told.
        Assert.InRange(long.Parse(Header(ok, "Bff-Session-Expires-In")!), 1, 15 * 60);

        using var failed = await browser.GetAsync("/api/orders?status=500");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Null(Header(failed, "Bff-Session-Expires-In"));
    }
}
