using Bff.Logging;

namespace Bff.Redis;

/// <summary>Opens the Redis connection while the host starts, so the first request does not pay for it.</summary>
internal sealed class RedisConnectionStarter(
    RedisConnection connection,
    ILogger<RedisConnectionStarter> logger,
    KeyRingProtection? protection = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (protection is not null)
        {
            Log.KeyRingCertificateLoaded(logger, protection.Thumbprint);
        }

        return connection.StartAsync().WaitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
