using Bff.Logging;
using Bff.Sessions.Store;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// The one connection to Redis, shared by the session store, the key ring, locks and the health check.
/// Connects once (without failing when Redis is down, then reconnecting in the background) and runs
/// every command with a deadline: a Redis that cannot answer becomes a
/// <see cref="SessionStoreUnavailableException"/>, never a hang, a crash or "no session".
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly ILogger<RedisConnection> _logger;
    private readonly Action<IConnectionMultiplexer>? _connected;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        _connected = options.Value.Connected;
        Configuration = RedisConfiguration.Parse(options.Value.ConnectionString);
        if (options.Value.TrustedCertificateAuthority is { Length: > 0 } authority)
        {
            Configuration.TrustIssuer(authority);
        }

        Keys = new RedisKeys(options.Value.KeyPrefix);
        // A second application on the same Redis that renamed itself but kept the prefix shares the first one's user and
        // provider-session indexes: its session list, sign out everywhere and back-channel logout reach the other's
        // sessions. Only warned: a single application that renamed itself long ago would lose every session to a new prefix.
        if (options.Value.ApplicationName != RedisOptions.DefaultApplicationName && options.Value.KeyPrefix == RedisOptions.DefaultKeyPrefix)
        {
            Log.RedisDefaultPrefixForRenamedApplication(logger, options.Value.ApplicationName, options.Value.KeyPrefix);
        }

        OperationTimeout = TimeSpan.FromMilliseconds(Configuration.SyncTimeout);
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public RedisKeys Keys { get; }

    /// <summary>The client settings the connection is made with.</summary>
    internal ConfigurationOptions Configuration { get; }

    /// <summary>How long a command may take before Redis counts as unavailable (the configuration's <c>syncTimeout</c>).</summary>
    public TimeSpan OperationTimeout { get; }

    /// <summary>Opens the connection now rather than on the first request; completes even if Redis is down.</summary>
    public Task StartAsync() => _multiplexer.Value;

    public async Task<T> RunAsync<T>(string operation, Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var multiplexer = await _multiplexer.Value.WaitAsync(cancellationToken);
            return await command(multiplexer.GetDatabase()).WaitAsync(OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(operation, ex);
        }
    }

    public Task RunAsync(string operation, Func<IDatabase, Task> command, CancellationToken cancellationToken) =>
        RunAsync(operation, async db => { await command(db); return true; }, cancellationToken);

    /// <summary>
    /// A synchronous command, for callers with a synchronous contract (the data-protection key ring). Waits
    /// for the first connect only if it is still under way (the host starts it before serving requests).
    /// </summary>
    public T Run<T>(string operation, Func<IDatabase, T> command)
    {
        try
        {
            var multiplexer = _multiplexer.Value.IsCompleted
                ? _multiplexer.Value.Result
                : _multiplexer.Value.WaitAsync(OperationTimeout).GetAwaiter().GetResult();
            return command(multiplexer.GetDatabase());
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(operation, ex);
        }
    }

    /// <summary>
    /// The database for the data-protection key ring's repository, which runs its own commands: while Redis is
    /// unreachable this throws <see cref="SessionStoreUnavailableException"/> (a 503), as every other read does.
    /// </summary>
    public IDatabase Database() => Run("key ring", db => db.Multiplexer.IsConnected
        ? db
        : throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is not connected.", null, CommandStatus.Unknown));

    /// <summary>The primaries the connection knows and reaches (one, or each master of a Cluster), for server commands.</summary>
    public async Task<IReadOnlyList<IServer>> PrimariesAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await _multiplexer.Value.WaitAsync(cancellationToken);
        return multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToList();
    }

    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken) =>
        RunAsync("PING", db => db.PingAsync(), cancellationToken);

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            _multiplexer.Value.Result.Dispose();
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        Log.RedisConnecting(_logger, string.Join(", ", Configuration.EndPoints.Select(e => e.ToString())), Keys.Prefix);
        // With abortConnect=false this completes after at most connectTimeout, connected or not; the
        // multiplexer then keeps reconnecting in the background.
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(Configuration);
        multiplexer.ConnectionFailed += (_, e) =>
            Log.RedisConnectionFailed(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString(), e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) =>
            Log.RedisConnectionRestored(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString());
        _connected?.Invoke(multiplexer);
        return multiplexer;
    }

    private SessionStoreUnavailableException Unavailable(string operation, Exception ex)
    {
        Log.RedisCommandFailed(_logger, operation, ex.GetType().Name);
        return new SessionStoreUnavailableException($"Redis did not answer {operation}.", ex);
    }

    // Connection faults, timeouts and server states such as LOADING (replaying the AOF after a restart).
    internal static bool IsUnavailable(Exception ex) => ex is RedisException or TimeoutException;
}
