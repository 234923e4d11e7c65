using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OpenTelemetry;

namespace Bff.Tests.Diagnostics;

/// <summary>The host's OpenTelemetry traces and metrics, collected with the in-memory exporter, and log correlation.</summary>
public class TelemetryFixture : StackFixture
{
    public List<Activity> Spans { get; } = [];

    public List<Metric> Metrics { get; } = [];

    public RecordingLoggerProvider Logs { get; } = new();

    /// <summary>The BFF's clock: real time, moved ahead to make a session's access token due.</summary>
    public ShiftableClock Clock { get; } = new();

    protected override TestStackOptions Options => new()
    {
        AccessTokenLifetimeSeconds = Integration.ShortTokenStackFixture.AccessTokenSeconds,
        Clock = Clock,
        // No OTLP endpoint here: the exporters below are added in code, so the host is told to collect.
        BffSettings = new Dictionary<string, string> { ["Telemetry:Tracing"] = "true", ["Telemetry:Metrics"] = "true" },
        ConfigureBff = builder =>
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
            builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics));
            builder.Logging.AddProvider(Logs);
        },
    };
}

/// <summary>The same, with sessions in a real redis-server.</summary>
public sealed class RedisTelemetryFixture : TelemetryFixture
{
    protected override bool SessionsInRedis => true;
}

public sealed class RedisTelemetryTests(RedisTelemetryFixture fixture) : IClassFixture<RedisTelemetryFixture>
{
    [Fact]
    public async Task The_session_read_of_a_proxied_call_shows_as_redis_spans_in_its_trace()
    {
        using var browser = fixture.Stack.NewBrowser();
        await browser.SignInAsync("traced-redis");
        var path = $"/api/traced/{Guid.NewGuid():N}";
        await browser.GetJsonAsync(path);

        List<Activity> Snapshot()
        {
            lock (fixture.Spans)
            {
                return [.. fixture.Spans];
            }
        }

        Activity? Proxy(List<Activity> all) => all.FirstOrDefault(a => a.OperationName == "bff.proxy" &&
            all.Any(server => server.SpanId == a.ParentSpanId && (server.GetTagItem("url.path") as string) == path));

        var (spans, _) = await Polling.UntilAsync(() => Task.FromResult(Snapshot()),
            s => Proxy(s) is { } proxy && s.Any(a => a.TraceId == proxy.TraceId && a.Source.Name.Contains("Redis", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15));

        var proxy = Proxy(spans);
        Assert.NotNull(proxy);
        Assert.Contains(spans, a => a.TraceId == proxy.TraceId && a.Source.Name.Contains("Redis", StringComparison.Ordinal));
    }

    // The session checks of calls in flight together go to Redis in one batch: each is still filed in its own call's trace.
    [Fact]
    public async Task Session_reads_sent_together_each_show_in_their_own_calls_trace()
    {
        using var browser = fixture.Stack.NewBrowser();
        await browser.SignInAsync("traced-together");
        var paths = Enumerable.Range(0, 40).Select(_ => $"/api/traced/{Guid.NewGuid():N}").ToList();
        await Task.WhenAll(paths.Select(path => browser.GetJsonAsync(path)));

        List<Activity> Snapshot()
        {
            lock (fixture.Spans)
            {
                return [.. fixture.Spans];
            }
        }

        // Each call's trace: the server span of its path, and the session read (HMGET) under the same trace id.
        bool EachHasItsRead(List<Activity> all) => paths.All(path =>
            all.FirstOrDefault(a => (a.GetTagItem("url.path") as string) == path && a.Source.Name.Contains("AspNetCore", StringComparison.Ordinal)) is { } server &&
            all.Count(a => a.TraceId == server.TraceId && a.Source.Name.Contains("Redis", StringComparison.Ordinal) && a.DisplayName == "HMGET") == 1);

        var (spans, _) = await Polling.UntilAsync(() => Task.FromResult(Snapshot()), EachHasItsRead, TimeSpan.FromSeconds(15));
        Assert.True(EachHasItsRead(spans), "every call's trace holds exactly its own session read: " + string.Join("; ", paths.Select(path =>
        {
            var server = spans.FirstOrDefault(a => (a.GetTagItem("url.path") as string) == path && a.Source.Name.Contains("AspNetCore", StringComparison.Ordinal));
            return server is null ? "no server span" : string.Join(",", spans.Where(a => a.TraceId == server.TraceId).Select(a => a.Source.Name + ":" + a.DisplayName));
        })));
    }
}

public sealed class TelemetryTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private List<Activity> SpansSnapshot()
    {
        lock (fixture.Spans)
        {
            return [.. fixture.Spans];
        }
    }

    [Fact]
    public async Task Sign_in_and_a_proxied_call_are_traced_without_any_token_in_the_spans()
    {
        using var browser = fixture.Stack.NewBrowser();
        await browser.SignInAsync("traced-alice");
        var sessionId = (await browser.GetJsonAsync("/bff/sessions")).EnumerateArray().Single().GetProperty("id").GetString();
        var sessionCookie = browser.SessionCookie!.Value;

        // Other tests' hosts run in this process too (listeners are process-wide): follow this call by a unique path.
        var path = $"/api/traced/{Guid.NewGuid():N}";
        await browser.GetJsonAsync(path);
        // The BFF's request span for that path (the demo API, in this process too, has one as well).
        Activity? Proxy(List<Activity> all) => all.FirstOrDefault(a => a.OperationName == "bff.proxy" &&
            all.Any(server => server.SpanId == a.ParentSpanId && server.Kind == ActivityKind.Server && (server.GetTagItem("url.path") as string) == path));

        var (spans, _) = await Polling.UntilAsync(() => Task.FromResult(SpansSnapshot()),
            s => Proxy(s) is not null &&
                 s.Any(a => a.OperationName == "bff.sign_in" && (a.GetTagItem("bff.session.id") as string) == sessionId),
            TimeSpan.FromSeconds(10));

        var signIn = Assert.Single(spans, a => a.OperationName == "bff.sign_in" && (a.GetTagItem("bff.session.id") as string) == sessionId);
        // Inside the sign-in callback's request span, which also holds the provider's token endpoint call.
        Assert.Contains(spans, a => a.SpanId == signIn.ParentSpanId && (a.GetTagItem("url.path") as string) == "/signin-oidc");
        Assert.Contains(spans, a => a.TraceId == signIn.TraceId && a.Kind == ActivityKind.Client &&
                                    (a.GetTagItem("url.full") as string)?.Contains("/token") == true);

        var proxy = Proxy(spans)!;
        Assert.Equal("api", proxy.GetTagItem("bff.route"));
        Assert.Equal("User", proxy.GetTagItem("bff.token_type"));
        // The forwarded call to the API is a child of the proxy span: one trace from browser to API.
        Assert.Contains(spans, a => a.Kind == ActivityKind.Client && a.ParentSpanId == proxy.SpanId);

        foreach (var span in spans.Where(a => a.TraceId == proxy.TraceId || a.TraceId == signIn.TraceId))
        {
            foreach (var (key, value) in span.TagObjects)
            {
                var text = value?.ToString() ?? "";
                Assert.False(TokenShapes.ContainsJwt(text) || text.Contains(sessionCookie, StringComparison.Ordinal),
                    $"span {span.OperationName} tag {key} carries a token or the cookie");
            }
        }
    }

    [Fact]
    public async Task A_real_refresh_is_a_span_with_its_outcome_and_no_token()
    {
        using var browser = fixture.Stack.NewBrowser();
        await browser.SignInAsync("traced-refresh");
        var path = $"/api/traced/{Guid.NewGuid():N}";
        Integration.TokenRefreshTests.MakeTokensDue(fixture.Clock);
        await browser.GetJsonAsync(path);

        Activity? Refresh(List<Activity> all) => all.FirstOrDefault(a => a.OperationName == "bff.token.refresh" &&
            all.Any(proxy => proxy.OperationName == "bff.proxy" && proxy.TraceId == a.TraceId &&
                all.Any(server => server.SpanId == proxy.ParentSpanId && (server.GetTagItem("url.path") as string) == path)));

        var (spans, _) = await Polling.UntilAsync(() => Task.FromResult(SpansSnapshot()), s => Refresh(s) is not null, TimeSpan.FromSeconds(10));

        var refresh = Refresh(spans)!;
        Assert.Equal("refreshed", refresh.GetTagItem("bff.outcome"));
        Assert.Equal("user", refresh.GetTagItem("bff.token_type"));
        Assert.Equal(ActivityStatusCode.Ok, refresh.Status);
        // The provider's token endpoint call is inside it.
        Assert.Contains(spans, a => a.ParentSpanId == refresh.SpanId && a.Kind == ActivityKind.Client &&
                                    (a.GetTagItem("url.full") as string)?.Contains("/token") == true);
        foreach (var (key, value) in refresh.TagObjects)
        {
            Assert.False(TokenShapes.ContainsJwt(value?.ToString() ?? ""), $"tag {key} carries a token");
        }
    }

    [Fact]
    public async Task The_bff_meter_is_exported()
    {
        using var browser = fixture.Stack.NewBrowser();
        await browser.SignInAsync("metered-bob");

        var provider = fixture.Stack.BffServices().GetRequiredService<MeterProvider>();
        provider.ForceFlush();
        lock (fixture.Metrics)
        {
            Assert.Contains(fixture.Metrics, m => m.Name == "bff.sessions.sign_ins" && m.MeterName == "Bff");
        }
    }

    [Fact]
    public async Task Every_log_line_of_a_request_carries_its_trace_id()
    {
        using var browser = fixture.Stack.NewBrowser();
        using var refused = await browser.GetAsync("/bff/login?returnUrl=//evil.example", antiforgery: false);

        var (line, _) = await Polling.UntilAsync(
            () => Task.FromResult(fixture.Logs.Entries.FirstOrDefault(e => e.EventId == 5002)),
            entry => entry is not null,
            TimeSpan.FromSeconds(10));
        Assert.Matches("^[0-9a-f]{32}$", line!.Scope.GetValueOrDefault("TraceId") ?? "");
        Assert.False(string.IsNullOrEmpty(line.Scope.GetValueOrDefault("RequestId")));
    }
}

/// <summary>Keeps every log entry with the scope values around it (as a console formatter with scopes would print).</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, int EventId, string Message, Dictionary<string, string?> Scope);

    private sealed class Recorder(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, string?>();
            owner._scopes.ForEachScope((value, values) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, item) in pairs)
                    {
                        values[key] = item?.ToString();
                    }
                }
            }, scope);
            owner.Entries.Enqueue(new LogEntry(category, eventId.Id, formatter(state, exception), scope));
        }
    }
}

/// <summary>Spans and metrics are collected only when something takes them.</summary>
public sealed class TelemetryCollectionTests
{
    private static async Task<(bool Tracing, bool Metrics)> CollectsAsync(params string[] arguments)
    {
        await using var app = Bff.Host.BffHostApp.Create([.. StandaloneBff.OverPlainHttp, .. arguments]);
        return (app.Services.GetService<TracerProvider>() is not null, app.Services.GetService<MeterProvider>() is not null);
    }

    [Fact]
    public async Task Nothing_is_recorded_without_an_exporter()
    {
        Assert.Equal((false, false), await CollectsAsync());
    }

    [Fact]
    public async Task An_otlp_endpoint_turns_on_spans_and_metrics()
    {
        Assert.Equal((true, true), await CollectsAsync("--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317"));
    }

    [Fact]
    public async Task A_prometheus_path_turns_on_metrics_only()
    {
        Assert.Equal((false, true), await CollectsAsync("--Telemetry:PrometheusPath=/metrics"));
        // The path is served from the metrics: it keeps them on even when told otherwise.
        Assert.Equal((false, true), await CollectsAsync("--Telemetry:PrometheusPath=/metrics", "--Telemetry:Metrics=false"));
    }

    [Fact]
    public async Task The_settings_turn_collection_on_for_exporters_added_in_code()
    {
        Assert.Equal((true, true), await CollectsAsync("--Telemetry:Tracing=true", "--Telemetry:Metrics=true"));
    }
}
