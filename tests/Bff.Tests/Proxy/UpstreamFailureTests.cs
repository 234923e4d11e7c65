using System.Net;
using System.Text.Json;
using Bff.Tests.Oidc;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Proxy;

/// <summary>
/// A call the proxy could not carry out gets the BFF's problem+json with a stable code, or a readable page for a
/// browser navigation, instead of an empty body; never exception text.
/// </summary>
public sealed class UpstreamFailureTests
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", body, StringComparison.OrdinalIgnoreCase);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal("urn:bff:problem:" + code, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static Dictionary<string, string> DeadDestination() =>
        // Nothing listens there: the connection is refused at once.
        new() { ["Destinations:d1:Address"] = $"http://127.0.0.1:{FreePort.Next()}" };

    [Fact]
    public async Task An_api_that_cannot_be_reached_is_502_upstream_unavailable()
    {
        await using var bff = await ProxiedBff.StartAsync(DeadDestination());
        using var browser = bff.NewBrowser();

        using var response = await browser.GetAsync("/api/orders");

        await ProblemAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable");
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task A_cluster_with_no_destination_is_503_upstream_unavailable()
    {
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string> { ["LoadBalancingPolicy"] = "RoundRobin" });
        using var browser = bff.NewBrowser();

        using var response = await browser.GetAsync("/api/orders");

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
    }

    [Fact]
    public async Task An_api_that_does_not_answer_within_the_activity_timeout_is_504_upstream_timeout()
    {
        await using var api = await LocalHttpServer.StartAsync(async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The BFF gave up on the call.
            }
        });
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string>
        {
            ["Destinations:d1:Address"] = api.Url,
            ["HttpRequest:ActivityTimeout"] = "00:00:00.300",
        });
        using var browser = bff.NewBrowser();

        using var response = await browser.GetAsync("/api/orders");

        await ProblemAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
    }

    [Fact]
    public async Task A_body_over_the_routes_limit_is_413_request_too_large()
    {
        // An API that reads the whole body before it answers, as most do.
        await using var api = await LocalHttpServer.StartAsync(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.WriteAsync("read");
        });
        await using var bff = await ProxiedBff.StartAsync(
            new Dictionary<string, string> { ["Destinations:d1:Address"] = api.Url },
            route: new Dictionary<string, string> { ["MaxRequestBodySize"] = "1024" });
        using var browser = bff.NewBrowser();

        using var small = await browser.SendAsync(HttpMethod.Post, "/api/orders", content: new ByteArrayContent(new byte[1024]));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);

        using var response = await browser.SendAsync(HttpMethod.Post, "/api/orders", content: new ByteArrayContent(new byte[64 * 1024]));

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public async Task A_browser_navigation_gets_a_readable_page()
    {
        await using var bff = await ProxiedBff.StartAsync(DeadDestination());
        using var browser = bff.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/report");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");

        using var response = await browser.SendRawAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Back to the app", page);
        Assert.DoesNotContain("Exception", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_apis_own_error_answer_passes_unchanged()
    {
        await using var api = await LocalHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":\"the API's own\"}");
        });
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string> { ["Destinations:d1:Address"] = api.Url });
        using var browser = bff.NewBrowser();

        using var response = await browser.GetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("{\"error\":\"the API's own\"}", await response.Content.ReadAsStringAsync());
    }
}
