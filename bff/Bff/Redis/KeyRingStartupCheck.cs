using Bff.Logging;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;

namespace Bff.Redis;

/// <summary>
/// Opens the Redis connection while the host starts, so the first request does not pay for it (it completes even
/// while Redis is down). Then checks the key ring in Redis, before anything reads it (data protection's own start-up
/// loads it and may add a key). Without a certificate: refuses an encrypted ring. With one: refuses a ring whose
/// current keys another certificate encrypted, makes sure an encrypted key protects new data (data protection
/// creates one now when the ring held only clear keys) and warns about the clear keys left. A Redis that is down
/// at start-up skips the check, as the BFF starts without Redis; the write guard and the resolver still hold.
/// </summary>
internal sealed class KeyRingStartupCheck(
    RedisConnection connection,
    IOptions<KeyManagementOptions> keyManagement,
    IKeyManager keyManager,
    IKeyRingProvider keyRing,
    TimeProvider time,
    ILogger<KeyRingStartupCheck> logger,
    KeyRingProtection? protection = null) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await connection.StartAsync().WaitAsync(cancellationToken);
        if (protection is not null)
        {
            Log.KeyRingCertificateLoaded(logger, protection.Thumbprint);
        }

        try
        {
            Check();
        }
        // The key ring's repository runs its own commands, so Redis's own exceptions can come through as well.
        catch (Exception ex) when (ex is SessionStoreUnavailableException || RedisConnection.IsUnavailable(ex))
        {
            Log.KeyRingNotChecked(logger, (ex.InnerException ?? ex).GetType().Name);
        }
    }

    private void Check()
    {
        var stored = KeyRingXml.Keys(KeyRingXml.Repository(keyManagement.Value));
        if (protection is null)
        {
            if (stored.ContainsValue(true))
            {
                throw KeyRingCertificate.Missing();
            }

            return;
        }

        var now = time.GetUtcNow();
        var keys = keyManager.GetAllKeys();
        var current = keys.Where(k => !k.IsRevoked && k.ExpirationDate > now && stored.GetValueOrDefault(k.KeyId)).ToList();
        if (current.Count > 0 && !current.Exists(KeyRingXml.CanDecrypt))
        {
            throw KeyRingCertificate.Foreign(protection.Thumbprint);
        }

        var defaultKey = keyRing.GetCurrentKeyRing().DefaultKeyId;
        var clear = keys.Where(k => !k.IsRevoked && stored.TryGetValue(k.KeyId, out var encrypted) && !encrypted).Select(k => k.KeyId).ToList();
        if (clear.Count == 0)
        {
            return;
        }

        if (!stored.ContainsKey(defaultKey))
        {
            Log.KeyRingDefaultKeyReplaced(logger, defaultKey);
        }

        Log.KeyRingHoldsClearKeys(logger, clear.Count, string.Join(", ", clear));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
