using System.Net;
using Bff.Host;

namespace Bff.Tests.Health;

/// <summary>What the health endpoints disclose to anyone who can reach them, on real Kestrel in the production environment.</summary>
public sealed class HealthDetailsTests
{
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, params string[] settings)
    {
        await using var app = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            "--environment=Production",
            // No provider listens: its check fails, so readiness has something to hide.
            .. StandaloneBff.OverPlainHttp,
            .. settings,
        ]);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient();
            using var response = await http.GetAsync(app.Urls.Single() + path);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Readiness_shows_only_the_overall_status_by_default_outside_development()
    {
        var (status, body) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("""{"status":"Unhealthy"}""", body);
    }

    [Fact]
    public async Task Readiness_shows_checks_and_session_statistics_when_configured_to()
    {
        var (status, body) = await GetAsync("/health/ready", "--Bff:Health:ShowDetails=true");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("\"provider\":\"Unhealthy\"", body, StringComparison.Ordinal);
        Assert.Contains("active_sessions", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Liveness_stays_minimal_even_with_details_on()
    {
        var (status, body) = await GetAsync("/health/live", "--Bff:Health:ShowDetails=true");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"status":"Healthy"}""", body);
    }
}
