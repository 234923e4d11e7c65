using Bff.Configuration;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Bff.Sessions.Store;

/// <summary>
/// The data-protection key manager, with two additions: <see cref="Reload"/> makes data protection read the key ring
/// again at its next use (in the background: the use that starts the read still gets the ring it had), and each
/// completed read is remembered (<see cref="LastRead"/>), so that a caller can tell whether a read that began after
/// some moment has finished, and which keys it found.
/// </summary>
internal sealed class ReloadableKeyManager(IKeyManager inner) : IKeyManager, IDeletableKeyManager, IDisposable
{
    private CancellationTokenSource _reload = new();
    private CancellationTokenSource? _linked;
    private readonly Lock _gate = new();
    private long _readsStarted;
    private RingRead _lastRead = new(0, new HashSet<Guid>());

    /// <summary>How many reads of the ring have begun so far.</summary>
    public long ReadsStarted => Interlocked.Read(ref _readsStarted);

    /// <summary>The last read of the ring that completed: its number (in order of starting) and the keys it found.</summary>
    public RingRead LastRead
    {
        get
        {
            lock (_gate)
            {
                return _lastRead;
            }
        }
    }

    public void Reload() => Interlocked.Exchange(ref _reload, new CancellationTokenSource()).Cancel();

    public CancellationToken GetCacheExpirationToken()
    {
        // Data protection keeps the ring it read until this token fires (or its own schedule says so).
        var linked = CancellationTokenSource.CreateLinkedTokenSource(inner.GetCacheExpirationToken(), Volatile.Read(ref _reload).Token);
        Interlocked.Exchange(ref _linked, linked)?.Dispose();
        return linked.Token;
    }

    public IReadOnlyCollection<IKey> GetAllKeys()
    {
        var number = Interlocked.Increment(ref _readsStarted);
        var keys = inner.GetAllKeys();
        var read = new RingRead(number, keys.Select(k => k.KeyId).ToHashSet());
        lock (_gate)
        {
            // A read that began later may have finished first: the latest begun stays.
            if (read.Number > _lastRead.Number)
            {
                _lastRead = read;
            }
        }

        return keys;
    }

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => inner.CreateNewKey(activationDate, expirationDate);

    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => inner.RevokeAllKeys(revocationDate, reason);

    public void RevokeKey(Guid keyId, string? reason = null) => inner.RevokeKey(keyId, reason);

    public bool CanDeleteKeys => inner is IDeletableKeyManager { CanDeleteKeys: true };

    public bool DeleteKeys(Func<IKey, bool> shouldDelete) =>
        inner is IDeletableKeyManager deletable ? deletable.DeleteKeys(shouldDelete) : throw new NotSupportedException("The key manager cannot delete keys.");

    public void Dispose()
    {
        _reload.Dispose();
        _linked?.Dispose();
    }

    /// <summary>
    /// Wraps the key manager registered so far (data protection's own, or one the app registered before). One the app
    /// registers after <c>AddBff</c> replaces the wrapper: <see cref="KeyRingReload"/> then reloads nothing.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IKeyManager) && !d.IsKeyedService);
        if (registered is null || services.Any(d => d.ServiceType == typeof(ReloadableKeyManager)))
        {
            return;
        }

        services.Remove(registered);
        services.AddSingleton(sp => new ReloadableKeyManager((IKeyManager)registered.Create(sp)));
        services.AddSingleton<IKeyManager>(sp => sp.GetRequiredService<ReloadableKeyManager>());
    }

    /// <param name="Number">The read's number, in the order reads began.</param>
    /// <param name="KeyIds">The keys the ring held.</param>
    internal sealed record RingRead(long Number, IReadOnlySet<Guid> KeyIds);
}
