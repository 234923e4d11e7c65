using Bff.Configuration;
using Bff.Logging;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Proxy;

/// <summary>
/// Proxied answers that stream (server-sent events, NDJSON) end with their session. A request meets the store only
/// when it starts, and a stream can run for hours after a sign-out: without this, "sign out everywhere" would leave
/// a live feed of the user's data open. A session ended on this instance closes its streams at once (as an
/// <see cref="ISessionEndObserver"/>); one ended elsewhere (another instance, a back-channel logout there, an expiry)
/// within <c>Bff:Session:StreamCheckInterval</c>, when the store is next asked about each session with a stream open
/// here. While the store cannot answer, streams stay open: an outage must not cut every user's feed.
/// </summary>
internal sealed class SessionStreams(
    ISessionStore store,
    TimeProvider time,
    IOptions<BffOptions> options,
    ILogger<SessionStreams> logger) : BackgroundService, ISessionEndObserver
{
    /// <summary>How many sessions are asked about at once in a check.</summary>
    internal const int CheckConcurrency = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<OpenStream>> _bySession = new(StringComparer.Ordinal);

    /// <summary>How many streams are open, for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bySession.Values.Sum(streams => streams.Count);
            }
        }
    }

    /// <summary>
    /// Watches one open stream of the session stored under <paramref name="storageId"/>; <paramref name="close"/> cuts
    /// it. Dispose the result when the stream ends by itself.
    /// </summary>
    public IDisposable Track(string storageId, string routeId, Action close)
    {
        var stream = new OpenStream(this, storageId, routeId, close);
        lock (_gate)
        {
            if (!_bySession.TryGetValue(storageId, out var streams))
            {
                _bySession[storageId] = streams = [];
            }

            streams.Add(stream);
        }

        return stream;
    }

    public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        Close(session.Id, reason.ToString());
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Session.StreamCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CheckAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed check must not stop the host (a background service's exception does): the next one runs.
                    Log.ProxyStreamCheckFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Asks the store about every session with a stream open here, and closes the streams of those that ended.</summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        string[] sessions;
        lock (_gate)
        {
            sessions = [.. _bySession.Keys];
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = CheckConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(sessions, parallel, async (storageId, token) =>
        {
            SessionState? state;
            try
            {
                state = await store.GetStateAsync(storageId, token);
            }
            catch (SessionStoreUnavailableException)
            {
                return; // Unknown is not ended: asked again at the next check.
            }

            if (state is null)
            {
                Close(storageId, "elsewhere");
            }
            else if (state.Value.ExpiresAt <= time.GetUtcNow())
            {
                Close(storageId, "expired");
            }
        });
    }

    private void Close(string storageId, string reason)
    {
        List<OpenStream>? streams;
        lock (_gate)
        {
            if (!_bySession.Remove(storageId, out streams))
            {
                return;
            }
        }

        foreach (var stream in streams)
        {
            Log.ProxyStreamClosed(logger, stream.RouteId, reason);
            stream.CloseNow();
        }
    }

    private void Forget(OpenStream stream)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(stream.StorageId, out var streams) && streams.Remove(stream) && streams.Count == 0)
            {
                _bySession.Remove(stream.StorageId);
            }
        }
    }

    private sealed class OpenStream(SessionStreams owner, string storageId, string routeId, Action close) : IDisposable
    {
        public string StorageId { get; } = storageId;

        public string RouteId { get; } = routeId;

        public void CloseNow() => close();

        public void Dispose() => owner.Forget(this);
    }
}
