using Bff.Benchmark;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bff.Sessions.Store;
using Bff.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

// Authenticated, proxied requests side by side on one machine, in alternating rounds: GET /api/whoami straight
// to the demo API (its own cost), through bare YARP (one route, no auth, the access token sent by wrk), and
// through the BFF (session cookie + X-CSRF: 1, forwarded with the user's access token) with in-memory and Redis
// sessions, each with the ticket cache off ("before") and on. Everything runs on loopback: the node identity
// provider, the demo API in its own process, bare YARP and the BFF in this one (so its CPU time is the proxy's
// alone), redis-server, and wrk as the load generator.

var duration = Option("--duration", 8);
var connections = Option("--connections", 32);
var threads = Option("--threads", 1);
var rounds = Option("--rounds", 2);
// Latency is also measured at a fixed, moderate request rate, below what every mode can serve (see PacedWrkAsync).
var pacedRate = Option("--paced-rate", 2000);
var warmup = Math.Min(2, duration);
// --set Key=Value (repeatable): an extra BFF setting in every stack, for A/B runs of a configuration choice.
var extraSettings = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length)
    .Select(x => args[x.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");

// --profile memory|redis|yarp: one stack (yarp: bare YARP with the BFF's logging settings, in front of the same
// API) under load for --duration seconds, its process id printed first, for dotnet-trace, dotnet-counters or perf
// to attach to (see README); no table.
var profile = Array.IndexOf(args, "--profile") is var p and >= 0 && p + 1 < args.Length ? args[p + 1] : null;
if (profile is not null)
{
    await using var profiled = profile == "redis" ? await RedisServer.StartAsync() : null;
    await RunStackAsync(profiled, cached: true, measureBaselines: false, profiling: true);
    return 0;
}

string[] order = ["API direct", "bare YARP, no logging", "bare YARP", "BFF in-memory, before", "BFF in-memory", "BFF Redis, before", "BFF Redis"];
Console.WriteLine($"wrk: {threads} thread(s), {connections} connections, {duration} s per run, {rounds} rounds, paced runs at {pacedRate:N0} req/s; {Environment.ProcessorCount} cores");
// The first stack in a process runs on freshly jitted code: one uncounted pass warms everything up.
await RunStackAsync(null, cached: true, measureBaselines: true);
await RunStackAsync(null, cached: false, measureBaselines: false);

var results = new List<Result>();
for (var round = 1; round <= rounds; round++)
{
    // Alternate the order of the stores from round to round, so that a burst of load elsewhere hits each alike.
    foreach (var redis in round % 2 == 1 ? new[] { false, true } : [true, false])
    {
        await using var server = redis ? await RedisServer.StartAsync() : null;
        foreach (var cached in round % 2 == 1 ? new[] { false, true } : [true, false])
        {
            foreach (var result in await RunStackAsync(server, cached, measureBaselines: !redis && cached))
            {
                results.Add(result);
                Console.WriteLine($"round {round} {result.Mode,-22}: {result.RequestsPerSecond,9:N0} req/s  p99 {result.P99Milliseconds,6:N2} ms  " +
                    $"paced {result.PacedRequestsPerSecond,6:N0} req/s p50 {result.PacedP50Milliseconds,5:N2} ms p99 {result.PacedP99Milliseconds,5:N2} ms  " +
                    $"CPU/request: proxy {result.ProcessCpuMicroseconds,5:N1} µs, API {result.ApiCpuMicroseconds,5:N1} µs, redis-server {result.RedisCpuMicroseconds,4:N1} µs  " +
                    $"allocated/request {result.AllocatedBytes / 1024,5:N1} KB  JIT {result.JitMilliseconds,5:N0} ms  errors {result.Errors}");
            }
        }
    }
}

var medians = order.ToDictionary(mode => mode, mode => results.Where(r => r.Mode == mode).ToList());
double MedianOf(string mode, Func<Result, double> value) => Median(medians[mode].Select(value));
double ProxyCpu(string mode) => MedianOf(mode, r => r.ProcessCpuMicroseconds) + MedianOf(mode, r => r.RedisCpuMicroseconds);
var yarpRps = MedianOf("bare YARP", r => r.RequestsPerSecond);
var yarpCpu = ProxyCpu("bare YARP");
var yarpP99 = MedianOf("bare YARP", r => r.P99Milliseconds);
var yarpPacedP99 = MedianOf("bare YARP", r => r.PacedP99Milliseconds);

Console.WriteLine();
Console.WriteLine($"Medians of {rounds} rounds. Proxy CPU: this process's (bare YARP or the BFF; the demo API runs in its own), plus redis-server's.");
Console.WriteLine("On a machine shared with other work, CPU per request is far steadier than req/s; trust its ratios first.");
Console.WriteLine();
Console.WriteLine("| mode | req/s | p99 ms | API CPU µs/req | redis-server CPU µs/req | proxy CPU µs/req | req/s ÷ YARP | YARP CPU ÷ proxy CPU | p99 added ms | " +
    $"paced: p50 ms | paced: p99 ms | paced: p99 added ms | proxy KB allocated/req | errors |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var mode in order)
{
    var rps = MedianOf(mode, r => r.RequestsPerSecond);
    var p99 = MedianOf(mode, r => r.P99Milliseconds);
    var pacedP50 = MedianOf(mode, r => r.PacedP50Milliseconds);
    var pacedP99 = MedianOf(mode, r => r.PacedP99Milliseconds);
    Console.WriteLine($"| {mode} | {rps:N0} | {p99:N2} | {MedianOf(mode, r => r.ApiCpuMicroseconds):N1} | {MedianOf(mode, r => r.RedisCpuMicroseconds):N1} | " +
        (mode == "API direct"
            ? $"— | — | — | — | {pacedP50:N2} | {pacedP99:N2} | — | — |"
            : $"{ProxyCpu(mode):N1} | {rps / yarpRps:N2} | {yarpCpu / ProxyCpu(mode):N2} | {p99 - yarpP99:+0.00;-0.00} | " +
              $"{pacedP50:N2} | {pacedP99:N2} | {pacedP99 - yarpPacedP99:+0.00;-0.00} | {MedianOf(mode, r => r.AllocatedBytes) / 1024:N1} |") +
        $" {medians[mode].Sum(r => r.Errors)} |");
}

var last = results.Last(r => r.Mode == "BFF Redis");
Console.WriteLine();
Console.WriteLine($"Redis MEMORY USAGE: session hash {last.SessionBytes} B (encrypted ticket {last.TicketBytes} B), sub index {last.SubjectIndexBytes} B, " +
    $"sid index {last.SidIndexBytes} B; per session ≈ {last.SessionBytes + last.SubjectIndexBytes + last.SidIndexBytes + 64} B with its schedule entry");
Console.WriteLine($"Cookie: {last.CookieBytes} B as sent ('bff=' + value)");
Console.WriteLine($"Sign-in (median over the stacks of each stack's median of five, /bff/login to the landing page through the real provider): in-memory {Median(results.Where(r => r.Mode.StartsWith("BFF in-memory", StringComparison.Ordinal)).Select(r => r.SignInMilliseconds)):N0} ms, " +
    $"Redis {Median(results.Where(r => r.Mode.StartsWith("BFF Redis", StringComparison.Ordinal)).Select(r => r.SignInMilliseconds)):N0} ms");
return 0;

// The BFF's logging settings, and bare YARP's: wrk cuts its connections when a run ends, and the proxies' warnings
// about that are noise here. With any logging provider at all, ASP.NET Core's hosting starts an Activity and a log
// scope for every request (HttpClient then also sends a traceparent header), whatever the levels.
static Dictionary<string, string> Logging() => new()
{
    ["Logging:LogLevel:Default"] = "Error",
    ["Logging:LogLevel:Yarp"] = "Error",
    ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
};

async Task<List<Result>> RunStackAsync(RedisServer? server, bool cached, bool measureBaselines, bool profiling = false)
{
    await using var stack = await TestStack.StartAsync(new TestStackOptions
    {
        Redis = server?.ConnectionString,
        AccessTokenLifetimeSeconds = 3600,
        ApiInOwnProcess = true,
        BffSettings = new Dictionary<string, string>(Logging())
        {
            ["Bff:Session:TicketCacheSize"] = cached ? "10000" : "0",
        }.Concat(extraSettings).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value),
    });

    using var browser = stack.NewBrowser();
    await browser.SignInAsync("bench");
    // Sign-in through the real provider (from /bff/login to the landing page, every redirect followed), timed on
    // the warm stack: the median of five.
    var signIns = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        using var other = stack.NewBrowser();
        var signIn = Stopwatch.StartNew();
        await other.SignInAsync("bench-" + i);
        signIns.Add(signIn.Elapsed.TotalMilliseconds);
    }
    var signInMs = Median(signIns);
    var cookie = $"{browser.SessionCookie!.Name}={browser.SessionCookie.Value}";
    (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString();

    var mode = (server is null ? "BFF in-memory" : "BFF Redis") + (cached ? "" : ", before");
    using var api = Process.GetProcessById(stack.ApiProcessId!.Value);
    var results = new List<Result>();
    // The demo API is a fresh process with every stack: run long enough for tiered compilation to settle in it
    // (and, when profiling, in this one) before anything counts.
    await WrkAsync(stack.BffUrl + "/api/whoami", ["Cookie: " + cookie, "X-CSRF: 1"], profiling ? 15 : 5);
    if (profiling)
    {
        var (url, headers) = (stack.BffUrl + "/api/whoami", new[] { "Cookie: " + cookie, "X-CSRF: 1" });
        await using var yarp = profile == "yarp" ? await StartBareYarpAsync($"http://127.0.0.1:{stack.ApiPort}", Logging()) : null;
        if (yarp is not null)
        {
            (mode, url, headers) = ("bare YARP", yarp.Urls.First() + "/api/whoami", [await BearerHeaderAsync(stack)]);
            await WrkAsync(url, headers, 15);
        }

        Console.WriteLine($"profiling {mode}: process {Environment.ProcessId}, {duration} s of load starting now");
        using var sampler = new AllocationSampler();
        sampler.Start();
        var profiled = await MeasureAsync(mode, url, headers, server, api);
        var samples = sampler.Stop();
        Console.WriteLine($"{profiled.RequestsPerSecond:N0} req/s, CPU/request: proxy {profiled.ProcessCpuMicroseconds:N1} µs, API {profiled.ApiCpuMicroseconds:N1} µs, " +
            $"redis-server {profiled.RedisCpuMicroseconds:N1} µs, allocated/request {profiled.AllocatedBytes / 1024:N1} KB");
        Console.WriteLine("Allocated types (share of the runtime's allocation samples, the proxy):");
        foreach (var (type, count) in samples.Take(30))
        {
            Console.WriteLine($"  {100.0 * count / samples.Sum(x => x.Samples),5:N1} %  {type}");
        }
        return results;
    }

    if (measureBaselines)
    {
        var bearer = await BearerHeaderAsync(stack);
        results.Add(await MeasureAsync("API direct", $"http://127.0.0.1:{stack.ApiPort}/api/whoami", [bearer], null, api));
        foreach (var (yarpMode, yarpLogging) in new[] { ("bare YARP, no logging", (Dictionary<string, string>?)null), ("bare YARP", Logging()) })
        {
            await using var yarp = await StartBareYarpAsync($"http://127.0.0.1:{stack.ApiPort}", yarpLogging);
            results.Add(await MeasureAsync(yarpMode, yarp.Urls.First() + "/api/whoami", [bearer], null, api));
        }
    }

    var bff = await MeasureAsync(mode, stack.BffUrl + "/api/whoami", ["Cookie: " + cookie, "X-CSRF: 1"], server, api);
    bff = bff with { CookieBytes = cookie.Length, SignInMilliseconds = signInMs };
    if (server is not null)
    {
        var sessionKey = (await RedisCli(server, "--scan", "--pattern", "bff:session:*")).Trim().Split('\n')[0];
        var sidKey = (await RedisCli(server, "--scan", "--pattern", "bff:sid:*")).Trim().Split('\n')[0];
        bff = bff with
        {
            SessionBytes = long.Parse(await RedisCli(server, "MEMORY", "USAGE", sessionKey), CultureInfo.InvariantCulture),
            TicketBytes = long.Parse(await RedisCli(server, "HSTRLEN", sessionKey, "t"), CultureInfo.InvariantCulture),
            SubjectIndexBytes = long.Parse(await RedisCli(server, "MEMORY", "USAGE", "bff:sub:{bench}"), CultureInfo.InvariantCulture),
            SidIndexBytes = sidKey.Length == 0 ? 0 : long.Parse(await RedisCli(server, "MEMORY", "USAGE", sidKey), CultureInfo.InvariantCulture),
        };
    }

    results.Add(bff);
    return results;
}

// The same access token the BFF forwards, for wrk to send itself to the API and to bare YARP.
static async Task<string> BearerHeaderAsync(TestStack stack)
{
    var services = stack.BffServices();
    var store = services.GetRequiredService<ISessionStore>();
    var session = await store.GetAsync((await store.GetBySubjectAsync("bench", CancellationToken.None)).Single().Id, CancellationToken.None);
    return "Authorization: Bearer " + services.GetRequiredService<SessionTicketProtector>().Unprotect(session!.Ticket, session.Id)!.Properties.GetTokenValue("access_token")!;
}

async Task<Result> MeasureAsync(string mode, string url, string[] headers, RedisServer? server, Process api)
{
    await WrkAsync(url, headers, warmup); // warm-up: JIT, connection pools, tiered compilation

    using var self = Process.GetCurrentProcess();
    self.Refresh();
    api.Refresh();
    var cpuBefore = self.TotalProcessorTime;
    var apiCpuBefore = api.TotalProcessorTime;
    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
    var redisCpuBefore = server is null ? 0 : await RedisCpuSecondsAsync(server);
    var output = await WrkAsync(url, headers, duration);
    self.Refresh();
    api.Refresh();
    var cpu = self.TotalProcessorTime - cpuBefore;
    var apiCpu = api.TotalProcessorTime - apiCpuBefore;
    var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
    var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
    var redisCpu = server is null ? 0 : await RedisCpuSecondsAsync(server) - redisCpuBefore;

    var result = Parse(mode, output);
    var paced = Parse(mode, await PacedWrkAsync(url, headers, duration));
    return result with
    {
        PacedRequestsPerSecond = paced.RequestsPerSecond,
        PacedP50Milliseconds = paced.P50Milliseconds,
        PacedP99Milliseconds = paced.P99Milliseconds,
        Errors = result.Errors + paced.Errors,
        ProcessCpuMicroseconds = cpu.TotalMicroseconds / result.Requests,
        ApiCpuMicroseconds = apiCpu.TotalMicroseconds / result.Requests,
        JitMilliseconds = jit.TotalMilliseconds,
        AllocatedBytes = (double)allocated / result.Requests,
        RedisCpuMicroseconds = redisCpu * 1e6 / result.Requests,
    };
}

// The baseline: YARP with one route to the same API and nothing else (no authentication, no sessions), on the
// same host defaults as the BFF with its logging settings, or with no logging providers at all.
static async Task<WebApplication> StartBareYarpAsync(string upstream, Dictionary<string, string>? logging)
{
    var builder = WebApplication.CreateBuilder();
    if (logging is null)
    {
        builder.Logging.ClearProviders();
    }
    else
    {
        builder.Configuration.AddInMemoryCollection(logging!);
    }

    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Services.AddReverseProxy().LoadFromMemory(
        [new RouteConfig { RouteId = "api", ClusterId = "api", Match = new RouteMatch { Path = "/api/{**rest}" } }],
        [new ClusterConfig { ClusterId = "api", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = upstream } } }]);
    var app = builder.Build();
    app.MapReverseProxy();
    await app.StartAsync();
    return app;
}

async Task<double> RedisCpuSecondsAsync(RedisServer server)
{
    var info = await RedisCli(server, "INFO", "cpu");
    double Field(string name) => double.Parse(Regex.Match(info, name + @":([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    return Field("used_cpu_sys") + Field("used_cpu_user");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

async Task<string> WrkAsync(string url, string[] headers, int seconds) =>
    await Exec("wrk", ["-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
        "-d", seconds + "s", "--latency", .. headers.SelectMany(h => new[] { "-H", h }), url]);

// The same connections, each waiting between its requests so that together they send about --paced-rate
// requests a second. At full load (WrkAsync) every request also queues behind the others: with 32 connections
// the mean latency is 32 ÷ req/s, so a slower proxy shows a higher p99 whatever it adds to each request. At a
// rate every mode serves with room to spare, p99 added is what the proxy adds to a request. The wait is drawn
// from 0.5–1.5× its mean so that the connections do not fall into step. wrk's latency does not count the wait.
async Task<string> PacedWrkAsync(string url, string[] headers, int seconds)
{
    var meanWaitMs = 1000.0 * connections / pacedRate;
    var script = Path.Combine(Path.GetTempPath(), $"bff-bench-paced-{Environment.ProcessId}.lua");
    await File.WriteAllTextAsync(script, FormattableString.Invariant($"function delay() return {meanWaitMs} * (0.5 + math.random()) end\n"));
    return await Exec("wrk", ["-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
        "-d", seconds + "s", "--latency", "-s", script, .. headers.SelectMany(h => new[] { "-H", h }), url]);
}

async Task<string> RedisCli(RedisServer server, params string[] arguments) =>
    (await Exec("redis-cli", ["-p", server.Port.ToString(CultureInfo.InvariantCulture), .. arguments])).Trim();

static async Task<string> Exec(string file, params string[] arguments)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        info.ArgumentList.Add(argument);
    }

    using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + file);
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await stderr}");
    }

    return await stdout;
}

static Result Parse(string mode, string wrk)
{
    string Match(string pattern) => Regex.Match(wrk, pattern, RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";
    var rps = double.Parse(Match(@"^Requests/sec:\s+([\d.]+)"), CultureInfo.InvariantCulture);
    var requests = long.Parse(Match(@"^\s+(\d+) requests in"), CultureInfo.InvariantCulture);
    var non2xx = Match(@"Non-2xx or 3xx responses:\s+(\d+)");
    var socketErrors = Regex.Matches(wrk, @"(connect|read|write|timeout) (\d+)").Sum(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    return new Result(mode, rps, requests, Milliseconds(Match(@"^\s+99%\s+(\S+)")),
        (non2xx == "?" ? 0 : int.Parse(non2xx, CultureInfo.InvariantCulture)) + socketErrors)
    {
        P50Milliseconds = Milliseconds(Match(@"^\s+50%\s+(\S+)")),
    };
}

static double Milliseconds(string wrkDuration)
{
    var m = Regex.Match(wrkDuration, @"^([\d.]+)(us|ms|s|m)$");
    if (!m.Success)
    {
        return double.NaN;
    }

    var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    return m.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, _ => value * 60_000 };
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Result(string Mode, double RequestsPerSecond, long Requests, double P99Milliseconds, int Errors)
{
    public double P50Milliseconds { get; init; }

    /// <summary>The paced run (a fixed, moderate rate): what it reached, and its latency.</summary>
    public double PacedRequestsPerSecond { get; init; }

    public double PacedP50Milliseconds { get; init; }

    public double PacedP99Milliseconds { get; init; }

    public double SignInMilliseconds { get; init; }

    public long SessionBytes { get; init; }

    public long TicketBytes { get; init; }

    public long SubjectIndexBytes { get; init; }

    public long SidIndexBytes { get; init; }

    public int CookieBytes { get; init; }

    /// <summary>CPU time of this process (the proxy: bare YARP or the BFF) per request; idle during API direct.</summary>
    public double ProcessCpuMicroseconds { get; init; }

    /// <summary>Time this process spent compiling code during the run (tiered compilation not yet settled).</summary>
    public double JitMilliseconds { get; init; }

    /// <summary>CPU time of the demo API's process per request.</summary>
    public double ApiCpuMicroseconds { get; init; }

    public double RedisCpuMicroseconds { get; init; }

    /// <summary>Managed memory this process allocated per request (the proxy, and the benchmark's own idle share).</summary>
    public double AllocatedBytes { get; init; }
}
