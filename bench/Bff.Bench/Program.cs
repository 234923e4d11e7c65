using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bff.Testing;

// Authenticated, proxied requests per second through the BFF (GET /api/whoami with the session cookie and
// X-CSRF: 1, forwarded with the user's access token to the demo API), with in-memory sessions and with Redis;
// plus Redis memory per session and the cookie's size. Everything runs on this machine, on loopback: the node
// identity provider, the demo API and the BFF in this process, redis-server, and wrk as the load generator.

var duration = Option("--duration", 15);
var connections = Option("--connections", 32);
var threads = Option("--threads", 2);
var rounds = Option("--rounds", 2);

Console.WriteLine($"wrk: {threads} threads, {connections} connections, {duration} s per run, {rounds} rounds; {Environment.ProcessorCount} cores");
var results = new List<Result>();
for (var round = 1; round <= rounds; round++)
{
    foreach (var mode in new[] { "in-memory", "redis" })
    {
        var result = await RunAsync(mode);
        results.Add(result);
        Console.WriteLine($"round {round} {mode,-9}: {result.RequestsPerSecond,9:N0} req/s  avg {result.AverageLatency}  p99 {result.P99Latency}  " +
            $"CPU/request: BFF+API {result.ProcessCpuMicroseconds:N0} µs, redis-server {result.RedisCpuMicroseconds:N0} µs  errors {result.Errors}");
    }
}

Console.WriteLine();
Console.WriteLine("| store | req/s (best of " + rounds + ") | req/s (median) | avg latency (best run) | p99 latency (best run) | CPU µs/request, BFF+API (median) | CPU µs/request, redis-server (median) | errors |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var group in results.GroupBy(r => r.Mode))
{
    var best = group.MaxBy(r => r.RequestsPerSecond)!;
    Console.WriteLine($"| {group.Key} | {best.RequestsPerSecond:N0} | {Median(group.Select(r => r.RequestsPerSecond)):N0} | {best.AverageLatency} | {best.P99Latency} | " +
        $"{Median(group.Select(r => r.ProcessCpuMicroseconds)):N0} | {Median(group.Select(r => r.RedisCpuMicroseconds)):N0} | {group.Sum(r => r.Errors)} |");
}

var memory = results.Where(r => r.Mode == "in-memory").ToList();
var redis = results.Where(r => r.Mode == "redis").ToList();
Console.WriteLine();
Console.WriteLine($"Redis / in-memory throughput: best {redis.Max(r => r.RequestsPerSecond) / memory.Max(r => r.RequestsPerSecond):P1}, " +
    $"median {Median(redis.Select(r => r.RequestsPerSecond)) / Median(memory.Select(r => r.RequestsPerSecond)):P1}");
var memoryCpu = Median(memory.Select(r => r.ProcessCpuMicroseconds));
var redisCpu = Median(redis.Select(r => r.ProcessCpuMicroseconds + r.RedisCpuMicroseconds));
Console.WriteLine($"CPU per request (BFF+API, plus redis-server): in-memory {memoryCpu:N0} µs, Redis {redisCpu:N0} µs " +
    $"=> Redis throughput on a CPU-bound machine ≈ {memoryCpu / redisCpu:P1} of in-memory");
var last = results.Last(r => r.Mode == "redis");
Console.WriteLine($"Redis MEMORY USAGE: session hash {last.SessionBytes} B (encrypted ticket {last.TicketBytes} B), sub index {last.SubjectIndexBytes} B, sid index {last.SidIndexBytes} B");
Console.WriteLine($"Cookie: {last.CookieBytes} B as sent ('bff=' + value)");
return 0;

async Task<Result> RunAsync(string mode)
{
    await using var server = mode == "redis" ? await RedisServer.StartAsync() : null;
    await using var stack = await TestStack.StartAsync(new TestStackOptions
    {
        Redis = server?.ConnectionString,
        AccessTokenLifetimeSeconds = 3600,
        // wrk cuts its connections when a run ends; the proxy's warnings about that are noise here.
        BffSettings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Error",
            ["Logging:LogLevel:Yarp"] = "Error",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
        },
    });

    using var browser = stack.NewBrowser();
    await browser.SignInAsync("bench");
    var cookie = $"{browser.SessionCookie!.Name}={browser.SessionCookie.Value}";
    (await browser.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString();

    var url = stack.BffUrl + "/api/whoami";
    await WrkAsync(url, cookie, Math.Min(3, duration)); // warm-up: JIT, connection pools, tiered compilation

    using var self = Process.GetCurrentProcess();
    self.Refresh();
    var cpuBefore = self.TotalProcessorTime;
    var redisCpuBefore = server is null ? 0 : await RedisCpuSecondsAsync(server);
    var output = await WrkAsync(url, cookie, duration);
    self.Refresh();
    var cpu = self.TotalProcessorTime - cpuBefore;
    var redisCpu = server is null ? 0 : await RedisCpuSecondsAsync(server) - redisCpuBefore;

    var result = Parse(mode, output);
    result = result with
    {
        CookieBytes = cookie.Length,
        ProcessCpuMicroseconds = cpu.TotalMicroseconds / result.Requests,
        RedisCpuMicroseconds = redisCpu * 1e6 / result.Requests,
    };
    if (server is not null)
    {
        var sessionKey = (await RedisCli(server, "--scan", "--pattern", "bff:session:*")).Trim().Split('\n')[0];
        var sidKey = (await RedisCli(server, "--scan", "--pattern", "bff:sid:*")).Trim().Split('\n')[0];
        result = result with
        {
            SessionBytes = long.Parse(await RedisCli(server, "MEMORY", "USAGE", sessionKey), CultureInfo.InvariantCulture),
            TicketBytes = long.Parse(await RedisCli(server, "HSTRLEN", sessionKey, "t"), CultureInfo.InvariantCulture),
            SubjectIndexBytes = long.Parse(await RedisCli(server, "MEMORY", "USAGE", "bff:sub:{bench}"), CultureInfo.InvariantCulture),
            SidIndexBytes = sidKey.Length == 0 ? 0 : long.Parse(await RedisCli(server, "MEMORY", "USAGE", sidKey), CultureInfo.InvariantCulture),
        };
    }

    return result;
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

async Task<string> WrkAsync(string url, string cookie, int seconds) =>
    await Exec("wrk", "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
        "-d", seconds + "s", "--latency", "-H", "Cookie: " + cookie, "-H", "X-CSRF: 1", url);

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
    return new Result(mode, rps, requests, Match(@"^\s+Latency\s+(\S+)"), Match(@"^\s+99%\s+(\S+)"),
        (non2xx == "?" ? 0 : int.Parse(non2xx, CultureInfo.InvariantCulture)) + socketErrors);
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Result(string Mode, double RequestsPerSecond, long Requests, string AverageLatency, string P99Latency, int Errors)
{
    public long SessionBytes { get; init; }

    public long TicketBytes { get; init; }

    public long SubjectIndexBytes { get; init; }

    public long SidIndexBytes { get; init; }

    public int CookieBytes { get; init; }

    public double ProcessCpuMicroseconds { get; init; }

    public double RedisCpuMicroseconds { get; init; }
}
