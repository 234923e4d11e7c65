using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Redis;

/// <summary>A real redis-server speaking TLS with a certificate from a private CA.</summary>
public sealed class RedisTlsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bff-redis-tls-").FullName;
    private RedisServer _redis = null!;
    private string _caFile = "";

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=bff test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddMonths(6), RandomNumberGenerator.GetBytes(8));

        _caFile = Write("ca.crt", ca.ExportCertificatePem());
        var files = new RedisTlsFiles(Write("redis.crt", server.ExportCertificatePem()), Write("redis.key", serverKey.ExportPkcs8PrivateKeyPem()), _caFile);
        _redis = await RedisServer.StartAsync(tls: files);
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, pem);
        return path;
    }

    private RedisConnection Connect(string? authority) => new(Options.Create(new RedisOptions
    {
        ConnectionString = $"127.0.0.1:{_redis.TlsPort},ssl=true,sslHost=localhost,connectTimeout=1000",
        KeyPrefix = RedisFixture.NewPrefix(),
        TrustedCertificateAuthority = authority,
    }), NullLogger<RedisConnection>.Instance);

    [Fact]
    public async Task The_key_ring_is_read_and_written_over_tls_with_the_private_ca()
    {
        using var connection = Connect(_caFile);
        await connection.StartAsync();

        var keyRing = connection.Database();

        Assert.True(keyRing.Multiplexer.IsConnected);
        keyRing.ListRightPush("key-ring-tls", "written over TLS");
        Assert.Equal("written over TLS", (string?)keyRing.ListGetByIndex("key-ring-tls", 0));
    }

    [Fact]
    public async Task Ssl_with_the_private_ca_works_and_without_it_the_server_is_not_trusted()
    {
        var clock = TimeProvider.System;
        using (var trusted = Connect(_caFile))
        {
            Assert.True(await new RedisReplayCache(trusted, clock).TryAddAsync("tls", clock.GetUtcNow().AddMinutes(1), CancellationToken.None));
        }

        using var untrusted = Connect(null);
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() =>
            new RedisReplayCache(untrusted, clock).TryAddAsync("tls", clock.GetUtcNow().AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public void A_missing_ca_file_is_named_at_start()
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions
        {
            ConnectionString = "redis.internal:6380,ssl=true",
            TrustedCertificateAuthority = Path.Combine(_directory, "nope.crt"),
        });

        Assert.False(result.Succeeded);
        Assert.Contains("Bff:Redis:TrustedCertificateAuthority", result.FailureMessage);
    }
}
