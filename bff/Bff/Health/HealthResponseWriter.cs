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
    public static Task WriteStatusAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new { status = report.Status.ToString() }, JsonSerializerOptions.Web, context.RequestAborted);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<BffOptions>>().Value.Health;
        var showDetails = options.ShowDetails ?? context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment();
        return showDetails ? WriteDetailsAsync(context, report) : WriteStatusAsync(context, report);
    }

    private static Task WriteDetailsAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(
            new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
                data = report.Entries.Where(e => e.Value.Data.Count > 0).ToDictionary(e => e.Key, e => e.Value.Data),
            },
            JsonSerializerOptions.Web,
            context.RequestAborted);
}
