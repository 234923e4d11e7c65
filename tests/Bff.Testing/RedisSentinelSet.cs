using System.Diagnostics;

namespace Bff.Testing;

/// <summary>
/// A master, one replica and one Sentinel watching them (quorum 1, master down after 1 s), all real processes
/// on loopback. The master writes an AOF (<c>appendfsync everysec</c>, as recommended for production).
/// <see cref="KillMasterAsync"/> kills the master the way a crash does; Sentinel then promotes the replica.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string ServiceName = "bffprimary";

    private readonly string _directory = Directory.CreateTempSubdirectory("bff-redis-sentinel-").FullName;
    private readonly Dictionary<int, ExternalProcess> _servers = [];
    private ExternalProcess? _sentinel;

    public int MasterPort { get; } = FreePort.Next();

    public int ReplicaPort { get; } = FreePort.Next();

    public int SentinelPort { get; } = FreePort.Next();

    /// <summary>The StackExchange.Redis configuration string: the Sentinel and the service it watches.</summary>
    public string ConnectionString => $"127.0.0.1:{SentinelPort},serviceName={ServiceName}";

    public static async Task<RedisSentinelSet> StartAsync()
    {
        var set = new RedisSentinelSet();
        try
        {
            await set.StartServerAsync(set.MasterPort, replicaOf: null);
            await set.StartServerAsync(set.ReplicaPort, replicaOf: set.MasterPort);
            await set.StartSentinelAsync();
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>The port of the server Sentinel names as master now.</summary>
    public async Task<int> CurrentMasterPortAsync()
    {
        var answer = await RedisCluster.CliAsync(SentinelPort, "SENTINEL", "get-master-addr-by-name", ServiceName);
        return int.Parse(answer.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim());
    }

    /// <summary>Waits until the replica has every write the master has acknowledged so far.</summary>
    public async Task WaitForReplicaAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var answer = await RedisCluster.CliAsync(MasterPort, "WAIT", "1", "1000");
            if (answer.Trim() == "1")
            {
                return;
            }
        }

        throw new InvalidOperationException("the replica did not catch up");
    }

    /// <summary>Kills the master process (SIGKILL: no shutdown, no final AOF write).</summary>
    public async Task KillMasterAsync()
    {
        var port = await CurrentMasterPortAsync();
        await _servers[port].DisposeAsync();
        _servers.Remove(port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sentinel is not null)
        {
            await _sentinel.DisposeAsync();
        }

        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartServerAsync(int port, int? replicaOf)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, port.ToString())).FullName;
        List<string> arguments =
        [
            "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
            "--appendonly", "yes", "--appendfsync", "everysec", "--protected-mode", "yes", "--daemonize", "no",
        ];
        if (replicaOf is { } master)
        {
            arguments.AddRange(["--replicaof", "127.0.0.1", master.ToString()]);
        }

        var server = ExternalProcess.Start("redis-server", arguments, directory);
        _servers[port] = server;
        await server.WaitUntilAsync(async () => (await RedisCluster.CliAsync(port, "PING")).Contains("PONG"), TimeSpan.FromSeconds(15), "redis-server");
    }

    private async Task StartSentinelAsync()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "sentinel")).FullName;
        var config = Path.Combine(directory, "sentinel.conf");
        await File.WriteAllTextAsync(config, $"""
            port {SentinelPort}
            bind 127.0.0.1
            dir {directory}
            sentinel monitor {ServiceName} 127.0.0.1 {MasterPort} 1
            sentinel down-after-milliseconds {ServiceName} 1000
            sentinel failover-timeout {ServiceName} 5000
            sentinel parallel-syncs {ServiceName} 1

            """);
        _sentinel = ExternalProcess.Start("redis-sentinel", [config], directory);
        await _sentinel.WaitUntilAsync(async () =>
        {
            var replicas = await RedisCluster.CliAsync(SentinelPort, "SENTINEL", "replicas", ServiceName);
            return replicas.Contains(ReplicaPort.ToString(), StringComparison.Ordinal) && !replicas.Contains("s_down", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "redis-sentinel");
    }
}
