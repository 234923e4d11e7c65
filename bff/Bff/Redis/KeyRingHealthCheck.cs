using Bff.Sessions.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Redis;

/// <summary>
/// Health check <c>keyring</c>: this instance can protect and read back data with the key ring, and decrypt every
/// current key (any instance may be protecting cookies and tickets with one). An instance that cannot would sign
/// out the users the others serve. A healthy answer is kept for a few seconds: reading the keys reads Redis.
/// </summary>
internal sealed class KeyRingHealthCheck(IDataProtectionProvider dataProtection, IKeyManager keyManager, TimeProvider time) : IHealthCheck
{
    public const string Name = "keyring";

    private static readonly TimeSpan HealthyFor = TimeSpan.FromSeconds(10);
    private long _healthyUntilTicks;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check(context.Registration.FailureStatus));

    private HealthCheckResult Check(HealthStatus failure)
    {
        var now = time.GetUtcNow();
        if (now.UtcTicks < Volatile.Read(ref _healthyUntilTicks))
        {
            return HealthCheckResult.Healthy();
        }

        try
        {
            var protector = dataProtection.CreateProtector(typeof(KeyRingHealthCheck).FullName!);
            var probe = Guid.NewGuid().ToString("N");
            if (protector.Unprotect(protector.Protect(probe)) != probe)
            {
                return new HealthCheckResult(failure, "Data protected with the key ring does not read back.");
            }

            var unreadable = keyManager.GetAllKeys()
                .Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now && !KeyRingXml.CanDecrypt(k))
                .Select(k => k.KeyId)
                .ToList();
            if (unreadable.Count > 0)
            {
                return new HealthCheckResult(failure,
                    $"This instance cannot decrypt key(s) {string.Join(", ", unreadable)} of the key ring, nor the cookies and sessions they protect: check Bff:DataProtection:Certificate.");
            }

            Volatile.Write(ref _healthyUntilTicks, (now + HealthyFor).UtcTicks);
            return HealthCheckResult.Healthy();
        }
        catch (SessionStoreUnavailableException ex)
        {
            return new HealthCheckResult(failure, "Redis does not answer: the key ring cannot be read.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(failure, "Data cannot be protected with the key ring.", ex);
        }
    }
}
