using System.Net;
using System.Text.Json;
using Bff.Tests.Oidc;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Proxy;

/// <summary>
/// What a client writes about where a call came from, how it arrived or who made it never reaches the API: APIs and
/// the frameworks under them believe such headers (a client address, the scheme and port to build URLs with, a user
/// a proxy in front of them vouched for).
/// </summary>
public sealed class RequestHeadersTests : IAsyncLifetime
{
    private LocalHttpServer _api = null!;
    private ProxiedBff _bff = null!;

    public async Task InitializeAsync()
    {
        // Every header the API received, names in lower case.
        _api = await LocalHttpServer.StartAsync(context => context.Response.WriteAsJsonAsync(
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        _bff = await ProxiedBff.StartAsync(new Dictionary<string, string> { ["Destinations:d1:Address"] = _api.Url });
    }

    public async Task DisposeAsync()
    {
        await _bff.DisposeAsync();
        await _api.DisposeAsync();
    }

    private async Task<Dictionary<string, string>> HeadersTheApiSawAsync(params (string Name, string Value)[] headers)
    {
        using var browser = _bff.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("X-Kept", "yes");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await browser.SendRawAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("yes", seen["x-kept"]);
        return seen;
    }

    [Theory]
    // Client addresses (Node's request-ip believes X-Client-IP before anything else).
    [InlineData("X-Client-IP")]
    [InlineData("True-Client-IP")]
    [InlineData("CF-Connecting-IP")]
    [InlineData("Fastly-Client-IP")]
    [InlineData("X-Cluster-Client-IP")]
    [InlineData("X-Real-IP")]
    [InlineData("X-Forwarded")]
    [InlineData("Forwarded-For")]
    [InlineData("Forwarded")]
    // How the call arrived: Spring and Rack build absolute URLs from these.
    [InlineData("X-Forwarded-Port")]
    [InlineData("X-Forwarded-Ssl")]
    [InlineData("X-Forwarded-Scheme")]
    [InlineData("X-Forwarded-Server")]
    [InlineData("X-Forwarded-Uri")]
    [InlineData("X-Forwarded-Client-Cert")]
    [InlineData("X-Host")]
    // Another method or path than the route matched.
    [InlineData("X-Original-Method")]
    [InlineData("X-Original-URI")]
    [InlineData("X-Envoy-Original-Path")]
    // Who the user is, as an authenticating proxy in front of an API says it.
    [InlineData("X-Remote-User")]
    [InlineData("Remote-User")]
    [InlineData("X-Auth-Request-User")]
    [InlineData("X-Auth-Request-Email")]
    [InlineData("X-Forwarded-User")]
    [InlineData("X-Forwarded-Access-Token")]
    public async Task A_client_written_forwarding_or_identity_header_is_not_forwarded(string name)
    {
        var seen = await HeadersTheApiSawAsync((name, "6.6.6.6"));

        Assert.DoesNotContain(name.ToLowerInvariant(), seen.Keys);
    }

    [Fact]
    public async Task The_forwarded_headers_the_bff_sets_replace_the_clients()
    {
        var seen = await HeadersTheApiSawAsync(
            ("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Prefix", "/evil"));

        Assert.Equal("127.0.0.1", seen["x-forwarded-for"]);
        Assert.Equal("http", seen["x-forwarded-proto"]);
        // No trusted proxy named a host, and the app has no path base: the API is told neither.
        Assert.DoesNotContain("x-forwarded-host", seen.Keys);
        Assert.DoesNotContain("x-forwarded-prefix", seen.Keys);
        Assert.Empty(seen.Keys.Where(k => k.StartsWith("x-forwarded-", StringComparison.Ordinal))
            .Except(["x-forwarded-for", "x-forwarded-proto"]));
    }

    // The filter went by the names the client sent, after the route's own transforms: a header the route sets, of a
    // name the BFF never forwards from a client, was removed whenever the client sent one of its own.
    [Fact]
    public async Task A_header_the_route_sets_reaches_the_api_whatever_the_client_sends()
    {
        await using var bff = await ProxiedBff.StartAsync(
            new Dictionary<string, string> { ["Destinations:d1:Address"] = _api.Url },
            new Dictionary<string, string> { ["Transforms:0:RequestHeader"] = "X-Forwarded-Tenant", ["Transforms:0:Set"] = "acme" });
        using var browser = bff.NewBrowser();

        foreach (var clientValue in new string?[] { null, "evil" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
            request.Headers.Add("X-CSRF", "1");
            if (clientValue is not null)
            {
                request.Headers.Add("X-Forwarded-Tenant", clientValue);
            }

            using var response = await browser.SendRawAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("acme", seen["x-forwarded-tenant"]);
        }
    }
}
