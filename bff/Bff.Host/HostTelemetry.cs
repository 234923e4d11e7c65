using Bff.Diagnostics;
using Bff.Redis;
using OpenTelemetry.Instrumentation.StackExchangeRedis;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bff.Host;

/// <summary>
/// Traces and metrics in OpenTelemetry's shape: incoming requests, outgoing calls (the provider, proxied APIs)
/// Redis commands and the BFF's own spans (<c>bff.sign_in</c>, <c>bff.token.refresh</c>, <c>bff.proxy</c>) and meter. They are
/// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the SDK reads the other <c>OTEL_*</c>
/// variables too), and scraped by Prometheus at <c>Telemetry:PrometheusPath</c> when that is set (e.g.
/// <c>/metrics</c>). Log lines carry the request's trace id (console scopes), so logs and traces correlate.
/// Spans and metrics are only collected when something takes them (an OTLP endpoint; for metrics, also the
/// Prometheus path), or when <c>Telemetry:Tracing</c> / <c>Telemetry:Metrics</c> say so (an exporter added in
/// code): spans nobody reads would be recorded on every request for nothing.
/// </summary>
internal static class HostTelemetry
{
    public const string PrometheusPathKey = "Telemetry:PrometheusPath";
    public const string TracingKey = "Telemetry:Tracing";
    public const string MetricsKey = "Telemetry:Metrics";

    public static void Add(WebApplicationBuilder builder)
    {
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var exportsOtlp = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        var tracing = builder.Configuration.GetValue<bool?>(TracingKey) ?? exportsOtlp;
        // A Prometheus path is served from the metrics, so it always turns them on.
        var metrics = (builder.Configuration.GetValue<bool?>(MetricsKey) ?? exportsOtlp) || PrometheusPath(builder.Configuration) is not null;
        if (!tracing && !metrics)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "bff"));
        if (tracing)
        {
            telemetry.WithTracing(spans => spans
                .AddSource(BffTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddRedisInstrumentation());

            // The BFF opens its Redis connection itself; hand it to the Redis instrumentation once it exists.
            builder.Services.AddOptions<RedisOptions>().Configure<IServiceProvider>((options, services) =>
                options.Connected = connection => services.GetService<StackExchangeRedisInstrumentation>()?.AddConnection(connection));
        }

        if (metrics)
        {
            telemetry.WithMetrics(meters =>
            {
                meters.AddMeter(BffTelemetry.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (PrometheusPath(builder.Configuration) is not null)
                {
                    meters.AddPrometheusExporter();
                }
            });
        }

        if (exportsOtlp)
        {
            telemetry.UseOtlpExporter();
        }
    }

    public static void Map(WebApplication app)
    {
        if (PrometheusPath(app.Configuration) is { } path)
        {
            app.MapPrometheusScrapingEndpoint(path);
        }
    }

    private static string? PrometheusPath(IConfiguration configuration) =>
        configuration[PrometheusPathKey] is { Length: > 0 } path ? path : null;
}
