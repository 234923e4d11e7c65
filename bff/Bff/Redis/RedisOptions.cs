namespace Bff.Redis;

/// <summary>
/// Where sessions, data-protection keys and locks live when the BFF runs on Redis. Bound from
/// <c>ConnectionStrings:Redis</c> and the <c>Bff:Redis</c> section by the host.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis.internal:6379,password=…,ssl=true</c>. Required.
    /// <c>abortConnect</c> is always false (the BFF starts and recovers while Redis is down); <c>connectTimeout</c>
    /// and <c>syncTimeout</c> default to 2000 ms, so an unreachable Redis fails requests fast.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    internal const string DefaultKeyPrefix = "bff:";
    internal const string DefaultApplicationName = "bff";

    /// <summary>
    /// Prefix of every key and channel the BFF writes. Defaults to <c>bff:</c>. Give each application that
    /// shares one Redis its own prefix.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>
    /// The data-protection application name. Every instance of one application must use the same name
    /// (their cookies and stored tickets are protected for it); different applications use different
    /// names. Defaults to <c>bff</c>.
    /// </summary>
    public string ApplicationName { get; set; } = DefaultApplicationName;

    /// <summary>
    /// The certificate that encrypts the data-protection key ring in Redis (<c>Bff:DataProtection:Certificate</c>).
    /// Read when <c>AddRedis</c> is called. Unset: the key ring is stored unencrypted.
    /// </summary>
    public KeyRingCertificateOptions KeyRingCertificate { get; set; } = new();

    /// <summary>
    /// A PEM or DER file with the certificate authority that signed Redis's TLS certificate, for a Redis whose
    /// certificate comes from a private CA (<c>ssl=true</c> in the connection string). Unset: the system's trust store.
    /// </summary>
    public string? TrustedCertificateAuthority { get; set; }

    /// <summary>
    /// Called once with the Redis connection when it is first made, e.g. to hand it to OpenTelemetry's Redis
    /// instrumentation (<c>StackExchangeRedisInstrumentation.AddConnection</c>). Not bound from configuration.
    /// </summary>
    public Action<StackExchange.Redis.IConnectionMultiplexer>? Connected { get; set; }
}
