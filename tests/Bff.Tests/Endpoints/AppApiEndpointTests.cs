using System.Net;
using System.Text.Json;

namespace Bff.Tests.Endpoints;

public sealed class AppApiEndpointTests
{
    [Fact]
    public async Task An_app_endpoint_marked_as_bff_api_requires_the_anti_forgery_header()
    {
        await using var bff = await InProcessBff.StartAsync();

        using var forged = await bff.SendAsync(HttpMethod.Get, "/app-api", antiforgery: false);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemCodes.AntiforgeryHeaderMissing,
            JsonDocument.Parse(await forged.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        using var called = await bff.SendAsync(HttpMethod.Get, "/app-api");
        Assert.Equal(HttpStatusCode.OK, called.StatusCode);
        Assert.Equal("ok", await called.Content.ReadAsStringAsync());
        Assert.Contains("no-store", called.Headers.CacheControl?.ToString());
    }
}
