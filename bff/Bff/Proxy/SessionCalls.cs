using Bff.Configuration;
using Bff.Logging;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Proxy;

/// <summary>
/// Proxied calls made with the user's token end with their session. A call meets the store only when it starts, and
/// a stream (server-sent events, NDJSON, a long download) can run for hours: without this, "sign out everywhere"
/// would leave a live feed of the user's data open. A session ended on this instance aborts its calls at once (as an
/// <see cref="ISessionEndObserver"/>), and a call that read its session just before that end and starts just after it
/// is not made; one ended elsewhere (another instance, a back-channel logout there, an expiry)
/// within <c>Bff:Session:StreamCheckInterval</c>, when the store is next asked about each session with a call in flight
/// here. While the store cannot answer, calls go on: an outage must not cut every user's feed.
/// </summary>
internal sealed class SessionCalls(
    ISessionStore store,
    TimeProvider time,
    IOptions<BffOptions> options,
    ILogger<SessionCalls> logger) : BackgroundService, ISessionEndObserver
{
    /// <summary>How many sessions are asked about at once in a check.</summary>
    internal const int CheckConcurrency = 16;

    private readonly ILogger<SessionCalls> _logger = logger;

    /// <summary>
    /// How many of the sessions ended on this instance are remembered, the latest: a call that read its session just
    /// before the end and starts just after it is not made, rather than run until the next check. (A storage id is
    /// never used again, so how long one is remembered does not matter; how many does.)
    /// </summary>
    internal const int EndedHereCapacity = 10_000;

    // One lock for the whole map: a call takes it twice (start, end) for a few instructions.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<Call>> _bySession = new(StringComparer.Ordinal);
    // Sessions ended here lately, oldest first; under _gate.
    private readonly HashSet<string> _endedHere = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedHereOrder = new();

    /// <summary>How many calls are in flight, for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bySession.Values.Sum(calls => calls.Count);
            }
        }
    }

    /// <summary>
    /// Watches the call <paramref name="context"/> of the session stored under <paramref name="storageId"/> until the
    /// response is done (the watch is disposed with it); the call is aborted if its session ends before then. False,
    /// and nothing watched, when the session ended on this instance after the call read it (its end found no call
    /// to abort): the call must not be made.
    /// </summary>
    public bool Track(HttpContext context, string storageId, string routeId)
    {
        var call = new Call(this, context, storageId, routeId);
        // Registered before it is listed: whatever happens next, the request's end takes it out again.
        context.Response.RegisterForDispose(call);
        lock (_gate)
        {
            if (_endedHere.Contains(storageId))
            {
                return false;
            }

            if (!_bySession.TryGetValue(storageId, out var calls))
            {
                _bySession[storageId] = calls = [];
            }

            calls.Add(call);
        }

        return true;
    }

    public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        RememberEndedHere(session.Id);
        Abort(session.Id, reason.ToString());
        return Task.CompletedTask;
    }

    private void RememberEndedHere(string storageId)
    {
        lock (_gate)
        {
            if (!_endedHere.Add(storageId))
            {
                return;
            }

            _endedHereOrder.Enqueue(storageId);
            if (_endedHereOrder.Count > EndedHereCapacity)
            {
                _endedHere.Remove(_endedHereOrder.Dequeue());
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Session.StreamCheckInterval, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken))
                {
                    return;
                }

                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A failed check must not stop the host (a background service's exception does): the next one runs.
                Log.ProxyCallCheckFailed(_logger, ex.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Asks the store about every session with a call in flight here, and aborts the calls of those that ended. Stops
    /// at the first sign that the store is down: asking each session in turn would only wait out each one's deadline.
    /// </summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        string[] sessions;
        lock (_gate)
        {
            sessions = [.. _bySession.Keys];
        }

        using var storeDown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = CheckConcurrency, CancellationToken = storeDown.Token };
        try
        {
            await Parallel.ForEachAsync(sessions, parallel, async (storageId, token) =>
            {
                // The loop's own token learns of the cancellation late (CancelAsync runs the callbacks later): each worker
                // would go on taking sessions, and a store that fails fast would be asked about all of them.
                if (storeDown.IsCancellationRequested)
                {
                    return;
                }

                SessionState? state;
                try
                {
                    state = await store.GetStateAsync(storageId, token);
                }
                catch (SessionStoreUnavailableException)
                {
                    await storeDown.CancelAsync();
                    return;
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    // One session's trouble (a store of the app's own that fails on it) must not stop the others' check.
                    Log.ProxyCallCheckFailed(_logger, ex.GetType().Name);
                    return;
                }

                if (state is null)
                {
                    Abort(storageId, "ended elsewhere");
                }
                else if (state.Value.ExpiresAt <= time.GetUtcNow())
                {
                    Abort(storageId, "expired");
                }
            });
        }
        catch (OperationCanceledException) when (storeDown.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The store is down: unknown is not ended, so every call goes on until a check gets answers.
        }
    }

    private void Abort(string storageId, string reason)
    {
        HashSet<Call>? calls;
        lock (_gate)
        {
            if (!_bySession.Remove(storageId, out calls))
            {
                return;
            }
        }

        Log.ProxyCallsAborted(_logger, calls.Count, reason);
        foreach (var call in calls)
        {
            call.Abort();
        }
    }

    private void Forget(Call call)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(call.StorageId, out var calls) && calls.Remove(call) && calls.Count == 0)
            {
                _bySession.Remove(call.StorageId);
            }
        }
    }

    /// <summary>One call in flight. Done once its response is (the server then reuses the context for the next request).</summary>
    private sealed class Call(SessionCalls owner, HttpContext context, string storageId, string routeId) : IDisposable
    {
        private readonly Lock _gate = new();
        private bool _done;

        public string StorageId { get; } = storageId;

        public void Abort()
        {
            // Under the call's own lock: a context whose request is done may already serve the connection's next one.
            lock (_gate)
            {
                if (_done)
                {
                    return;
                }

                try
                {
                    context.Abort();
                }
                catch (Exception ex)
                {
                    // The other calls of the session are aborted all the same.
                    Log.ProxyCallAbortFailed(owner._logger, routeId, ex.GetType().Name);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _done = true;
            }

            owner.Forget(this);
        }
    }
}
