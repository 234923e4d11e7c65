namespace Bff.Distributed;

/// <summary>
/// Concurrent callers with the same key share one run. The run has its own lifetime, so it does not die with
/// the first caller's request, and it leaves the table when it lands, whether or not anyone still waits, so a
/// later caller never joins a finished run.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _runs = new(StringComparer.Ordinal);

    public bool IsRunning(string key) => _runs.ContainsKey(key);

    public Task<T> RunAsync(string key, Func<Task<T>> run, CancellationToken cancellationToken) =>
        _runs.GetOrAdd(key, _ => NewRun(key, run)).Value.WaitAsync(cancellationToken);

    private Lazy<Task<T>> NewRun(string key, Func<Task<T>> run)
    {
        Lazy<Task<T>>? lazy = null;
        lazy = new Lazy<Task<T>>(async () =>
        {
            try
            {
                return await run();
            }
            finally
            {
                _runs.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, lazy!));
            }
        });
        return lazy;
    }
}
