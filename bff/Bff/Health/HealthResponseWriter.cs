using Bff.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Health;

/// <summary>
/// The health answer as JSON: the overall status, each check's, and the numbers checks report, e.g.
/// <c>{"status":"Healthy","checks":{"redis":"Healthy","sessions":"Healthy"},"data":{"sessions":{"active_sessions":3,…}}}</c>.
/// No description or exception text (they may name hosts); the logs have the details. Without
/// <c>Bff:Health:ShowDetails</c> (the default outside Development) only the overall status is shown: anyone who
/// can reach the endpoint can read it.
/// </summary>
internal static class HealthResponseWriter
{
    /// <summary>The overall status alone: for liveness, and readiness unless details are allowed.</summary>
    public static async Task WriteStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync($"{{\"status\":\"{report.Status}\"}}", context.RequestAborted);
    }

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<BffOptions>>().Value.Health;
        var showDetails = options.ShowDetails ?? context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment();
        return showDetails ? WriteDetailsAsync(context, report) : WriteStatusAsync(context, report);
    }

    private static async Task WriteDetailsAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";

        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteString(name, entry.Status.ToString());
            }

            json.WriteEndObject();

            json.WriteStartObject("data");
            foreach (var (name, entry) in report.Entries.Where(e => e.Value.Data.Count > 0))
            {
                json.WritePropertyName(name);
                JsonSerializer.Serialize(json, entry.Data);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
