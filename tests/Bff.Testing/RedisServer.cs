using System.Net.Sockets;
using System.Text;

namespace Bff.Testing;

/// <summary>
/// A real redis-server on a free loopback port, with its own data directory. Without persistence it keeps
/// nothing on disk (<c>--save '' --appendonly no</c>); with <c>appendOnly</c> every write goes to the AOF
/// (<c>appendfsync always</c>), so <see cref="StopAsync"/> then <see cref="StartAsync"/> on the same port
/// keeps every key. Stopping kills the process, like an outage.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly bool _appendOnly;
    private readonly RedisTlsFiles? _tls;
    private readonly string _directory;
    private ExternalProcess? _process;

    private RedisServer(bool appendOnly, RedisTlsFiles? tls)
    {
        _appendOnly = appendOnly;
        _tls = tls;
        Port = FreePort.Next();
        TlsPort = tls is null ? null : FreePort.Next();
        _directory = Directory.CreateTempSubdirectory("bff-redis-").FullName;
    }

    public int Port { get; }

    /// <summary>The TLS port, when the server was started with <see cref="RedisTlsFiles"/> (the plain port stays open for the tests' own checks).</summary>
    public int? TlsPort { get; }

    /// <summary>The StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync(bool appendOnly = false, RedisTlsFiles? tls = null)
    {
        var server = new RedisServer(appendOnly, tls);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        List<string> arguments =
        [
            "--port", Port.ToString(),
            "--bind", "127.0.0.1",
            "--dir", _directory,
            "--save", "",
            "--appendonly", _appendOnly ? "yes" : "no",
            "--appendfsync", "always",
            "--protected-mode", "yes",
            "--daemonize", "no",
        ];
        if (_tls is not null)
        {
            arguments.AddRange(["--tls-port", TlsPort!.Value.ToString(), "--tls-cert-file", _tls.CertificateFile,
                "--tls-key-file", _tls.KeyFile, "--tls-ca-cert-file", _tls.CaFile, "--tls-auth-clients", "no"]);
        }

        _process = ExternalProcess.Start("redis-server", arguments, _directory);
        await _process.WaitUntilAsync(async () => await PingAsync(), TimeSpan.FromSeconds(15), "redis-server");
    }

    /// <summary>Kills the server (no shutdown save): clients see the connection drop.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>True when the server answers PING (and has finished loading its data).</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }
}

/// <summary>PEM files for a TLS listener: the server's certificate and key, and the CA that signed it.</summary>
public sealed record RedisTlsFiles(string CertificateFile, string KeyFile, string CaFile);
