using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Bff.Sessions.Store;

/// <summary>
/// The data-protection key manager, with one addition: <see cref="Reload"/> makes data protection read the key ring
/// again at its next use (in the background: the use that starts the read still gets the ring it had).
/// </summary>
internal sealed class ReloadableKeyManager(IKeyManager inner) : IKeyManager, IDeletableKeyManager, IDisposable
{
    private CancellationTokenSource _reload = new();
    private CancellationTokenSource? _linked;

    public void Reload() => Interlocked.Exchange(ref _reload, new CancellationTokenSource()).Cancel();

    public CancellationToken GetCacheExpirationToken()
    {
        // Data protection keeps the ring it read until this token fires (or its own schedule says so).
        var linked = CancellationTokenSource.CreateLinkedTokenSource(inner.GetCacheExpirationToken(), Volatile.Read(ref _reload).Token);
        Interlocked.Exchange(ref _linked, linked)?.Dispose();
        return linked.Token;
    }

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => inner.CreateNewKey(activationDate, expirationDate);

    public IReadOnlyCollection<IKey> GetAllKeys() => inner.GetAllKeys();

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

    /// <summary>Wraps the key manager registered so far (data protection's own unless the app registered another).</summary>
    public static void Register(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IKeyManager) && !d.IsKeyedService);
        if (registered is null || services.Any(d => d.ServiceType == typeof(ReloadableKeyManager)))
        {
            return;
        }

        services.Remove(registered);
        services.AddSingleton(sp => new ReloadableKeyManager((IKeyManager)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))));
        services.AddSingleton<IKeyManager>(sp => sp.GetRequiredService<ReloadableKeyManager>());
    }
}
