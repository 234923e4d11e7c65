using Bff.Configuration;
using Bff.Distributed;
using Bff.Redis;
using Bff.Sessions.Audit;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.AspNetCore.DataProtection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Moves the BFF's shared state to Redis, so any number of instances serve the same users.</summary>
public static class RedisBffBuilderExtensions
{
    /// <summary>
    /// Keeps sessions, the data-protection key ring, locks, the logout-token replay cache and the audit trail in the Redis at <paramref name="connectionString"/>
    /// (a StackExchange.Redis configuration string, e.g. <c>localhost:6379,password=…,ssl=true</c>).
    /// </summary>
    public static BffBuilder AddRedis(this BffBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddRedis(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps sessions, the data-protection key ring and locks in Redis, with every setting of <see cref="RedisOptions"/>.</summary>
    public static BffBuilder AddRedis(this BffBuilder builder, Action<RedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;

        services.AddOptions<RedisOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton<RedisConnection>();

        // These replace the in-memory defaults that AddBff registered.
        services.RemoveAll<ISessionStore>();
        services.TryAddSingleton<RedisSessionStore>();
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<RedisSessionStore>());
        services.TryAddSingleton<RedisSessionSweeper>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<RedisSessionSweeper>());
        services.RemoveAll<IDistributedLock>();
        services.AddSingleton<IDistributedLock, RedisDistributedLock>();
        services.RemoveAll<IReplayCache>();
        services.AddSingleton<IReplayCache, RedisReplayCache>();
        services.RemoveAll<IEndedSessionStore>();
        services.AddSingleton<IEndedSessionStore, RedisEndedSessionStore>();
        services.RemoveAll<IAuditTrail>();
        services.AddSingleton<IAuditTrail, RedisAuditTrail>();

        // The key ring: one list in Redis, and one application name for every instance (the default would
        // be the content root path, which differs between machines). Its key and certificate are needed now,
        // so the settings are read once here as well.
        var settings = new RedisOptions();
        configure(settings);
        var keyRing = new KeyRingDatabase();
        var dataProtection = services.AddDataProtection()
            .PersistKeysToStackExchangeRedis(keyRing.Get, new RedisKeys(settings.KeyPrefix).DataProtectionKeys);
        services.AddOptions<KeyManagementOptions>().Configure<RedisConnection>((_, connection) => keyRing.Connection = connection);
        services.AddOptions<DataProtectionOptions>()
            .Configure<IOptions<RedisOptions>>((options, redis) => options.ApplicationDiscriminator = redis.Value.ApplicationName);
        // Never a clear key into an encrypted ring; with the certificate, only an encrypted key protects new data.
        services.AddOptions<KeyManagementOptions>().PostConfigure(options => options.XmlRepository = new KeyRingWriteGuard(KeyRingXml.Repository(options)));
        // Opens the Redis connection while the host starts (the first request does not pay for it), then checks the ring.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KeyRingStartupCheck>());
        if (settings.KeyRingCertificate.IsSet)
        {
            var certificate = KeyRingCertificate.Load(settings.KeyRingCertificate);
            dataProtection.ProtectKeysWithCertificate(certificate);
            services.AddSingleton(new KeyRingProtection(certificate.Thumbprint));
            var resolver = services.Last(d => d.ServiceType == typeof(IDefaultKeyResolver));
            services.Replace(ServiceDescriptor.Singleton<IDefaultKeyResolver>(sp => new EncryptedDefaultKeyResolver(
                (IDefaultKeyResolver)resolver.Create(sp), sp.GetRequiredService<IOptions<KeyManagementOptions>>())));
        }

        services.TryAddSingleton<KeyRingHealthCheck>(); // one instance, so its healthy answer is kept between runs
        // One instance for the health check and the host (a warning once the host has started).
        services.TryAddSingleton<RedisEvictionPolicy>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisEvictionPolicy>(sp => sp.GetRequiredService<RedisEvictionPolicy>()));
        services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>(RedisHealthCheck.Name, tags: [BffDefaults.HealthReadyTag])
            .AddCheck<KeyRingHealthCheck>(KeyRingHealthCheck.Name, tags: [BffDefaults.HealthReadyTag]);
        return builder;
    }

    // The database behind the key ring's repository, known once the container has built the connection.
    private sealed class KeyRingDatabase
    {
        public RedisConnection? Connection { get; set; }

        public StackExchange.Redis.IDatabase Get() =>
            (Connection ?? throw new InvalidOperationException("The Redis connection for the key ring is not configured yet.")).Database();
    }
}
