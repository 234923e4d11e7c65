using Bff.Logging;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// Whether Redis may evict the BFF's keys to make room: a <c>maxmemory</c> with any policy but <c>noeviction</c>, as
/// managed Redis services often set by default. Eviction signs users out silently, and since Redis evicts by sampling
/// it can take a user's or a provider session's index while the sessions it lists stay: sign out everywhere,
/// back-channel logout and the session limit then miss those sessions (README, "Recommended Redis settings"). Read
/// from <c>INFO memory</c> of every primary (each master of a Cluster) after the host has started and then at most once
/// per <see cref="ReadEvery"/>; the health check reports it. A primary that refuses <c>INFO</c> (an ACL) or does not
/// answer is not judged. A newly seen evicting policy is logged as a warning.
/// </summary>
internal sealed class RedisEvictionPolicy(RedisConnection redis, TimeProvider time, ILogger<RedisEvictionPolicy> logger)
    : IHostedLifecycleService
{
    /// <summary>How long a reading is kept: a policy changes rarely, and the health check runs every few seconds.</summary>
    public static readonly TimeSpan ReadEvery = TimeSpan.FromMinutes(1);

    private Reading? _last;
    private string _warned = "";

    /// <summary>The primaries that may evict, each as "endpoint (policy)"; empty when none may or none could be read.</summary>
    public async Task<IReadOnlyList<string>> EvictingAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Volatile.Read(ref _last) is { } last && now - last.ReadAt < ReadEvery)
        {
            return last.Evicting;
        }

        var evicting = new List<string>();
        foreach (var server in await redis.PrimariesAsync(cancellationToken))
        {
            if (await PolicyAsync(server, cancellationToken) is { } policy)
            {
                evicting.Add($"{server.EndPoint} ({policy})");
            }
        }

        Volatile.Write(ref _last, new Reading(now, evicting));
        // Each finding once, and again after it was fixed in between.
        var seen = string.Join(", ", evicting);
        if (Interlocked.Exchange(ref _warned, seen) != seen && evicting.Count > 0)
        {
            Log.RedisMayEvict(logger, seen);
        }

        return evicting;
    }

    // The client counts INFO among the admin commands, which the BFF's connection does not allow (no FLUSHALL by
    // mistake); from a script Redis runs it like any other command, the user's ACL included.
    private const string InfoMemoryScript = "return redis.call('INFO', 'memory')";

    // The server's eviction policy when it may evict, else null.
    private async Task<string?> PolicyAsync(IServer server, CancellationToken cancellationToken)
    {
        string info;
        try
        {
            info = (string?)await server.ExecuteAsync("EVAL", InfoMemoryScript, 0).WaitAsync(redis.OperationTimeout, cancellationToken) ?? "";
        }
        catch (Exception ex) when (RedisConnection.IsUnavailable(ex))
        {
            // INFO refused (NOPERM), scripts disabled, or no answer: not judged.
            return null;
        }

        // "field:value" lines.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in info.Split('\n', StringSplitOptions.TrimEntries).Select(line => line.Split(':', 2)).Where(pair => pair.Length == 2))
        {
            fields[pair[0]] = pair[1];
        }

        var limited = fields.TryGetValue("maxmemory", out var max) && max != "0";
        return limited && fields.TryGetValue("maxmemory_policy", out var policy) && policy != "noeviction" ? policy : null;
    }

    // After the host has started (the connection is open by then), so that an operator sees the warning at once.
    public async Task StartedAsync(CancellationToken cancellationToken) => await EvictingAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private sealed record Reading(DateTimeOffset ReadAt, IReadOnlyList<string> Evicting);
}
