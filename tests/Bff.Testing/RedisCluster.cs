using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bff.Testing;

/// <summary>
/// A real Redis Cluster of three masters (no replicas) on loopback: three <c>redis-server --cluster-enabled yes</c>
/// processes joined by <c>redis-cli --cluster create</c>, each with its own data directory. Started once per fixture.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly List<ExternalProcess> _nodes = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("bff-redis-cluster-").FullName;

    private RedisCluster(IReadOnlyList<int> ports)
    {
        Ports = ports;
    }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>The StackExchange.Redis configuration string naming every master.</summary>
    public string ConnectionString => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"));

    public static async Task<RedisCluster> StartAsync(int masters = 3)
    {
        var cluster = new RedisCluster(Enumerable.Range(0, masters).Select(_ => ClusterPort()).ToList());
        try
        {
            await cluster.StartNodesAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync()
    {
        foreach (var port in Ports)
        {
            var directory = Directory.CreateDirectory(Path.Combine(_directory, port.ToString())).FullName;
            var node = ExternalProcess.Start("redis-server",
            [
                "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory,
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no",
            ], directory);
            _nodes.Add(node);
            await node.WaitUntilAsync(async () => (await CliAsync(port, "PING")).Contains("PONG"), TimeSpan.FromSeconds(15), "redis-server (cluster node)");
        }

        var create = await RunAsync("redis-cli", ["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
        if (!create.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("redis-cli --cluster create failed:\n" + create);
        }

        var (states, _) = await Polling.UntilAsync(() => Task.WhenAll(Ports.Select(p => CliAsync(p, "CLUSTER", "INFO"))),
            all => all.All(s => s.Contains("cluster_state:ok", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        if (!states.All(s => s.Contains("cluster_state:ok", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("the cluster did not reach cluster_state:ok:\n" + string.Join("\n", states));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One redis-cli command against one node; its output.</summary>
    public static Task<string> CliAsync(int port, params string[] command) =>
        RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(), .. command]);

    private static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }

    // A node also listens on its port + 10000 (the cluster bus): both must be free.
    private static int ClusterPort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = FreePort.Next();
            if (port + 10000 > 65535)
            {
                continue;
            }

            try
            {
                using var bus = new TcpListener(IPAddress.Loopback, port + 10000);
                bus.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free port pair for a cluster node");
    }
}
