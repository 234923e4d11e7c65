using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Bff.Tests.Diagnostics;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>The key ring in a real Redis through DataProtection.StackExchangeRedis, with and without a certificate.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisKeyRingTests(RedisFixture redis) : IDisposable
{
    private const string Password = "pfx-password-7";
    private readonly string _directory = Directory.CreateTempSubdirectory("bff-keyring-").FullName;
    private readonly string _prefix = RedisFixture.NewPrefix();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string CertificateFile(string name = "key-ring.pfx")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=bff key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    private Task<ServiceProvider> BuildAsync(string? certificatePath, string? password = Password) =>
        BuildAsync(new KeyRingCertificateOptions { Path = certificatePath, Password = password });

    private async Task<ServiceProvider> BuildAsync(KeyRingCertificateOptions certificate)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        AddBffOnRedis(services, certificate);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<RedisConnection>().StartAsync();
        return provider;
    }

    // A whole host, so that its hosted services (the key-ring check among them) run as in the app.
    private async Task<IHost> StartHostAsync(KeyRingCertificateOptions certificate, RecordingLoggerProvider? logs = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        AddBffOnRedis(builder.Services, certificate);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private void AddBffOnRedis(IServiceCollection services, KeyRingCertificateOptions certificate) =>
        services.AddBff(options =>
        {
            options.Authority = "https://login.example.com";
            options.ClientId = "bff";
            options.ClientSecret = "secret";
        }).AddRedis(options =>
        {
            options.ConnectionString = redis.Server.ConnectionString;
            options.KeyPrefix = _prefix;
            options.KeyRingCertificate = certificate;
        });

    private async Task<string[]> StoredElementsAsync() =>
        [.. (await redis.Inspect.ListRangeAsync((RedisKey)(_prefix + "dataprotection:keys"))).Select(e => (string)e!)];

    private async Task<XElement> StoredKeyAsync(Guid id) =>
        (await StoredElementsAsync()).Select(XElement.Parse).Single(e => e.Name == "key" && (Guid)e.Attribute("id")! == id);

    // An existing deployment: its keys were made days ago, so data protection counts them as known to every instance.
    private async Task BackdateKeysAsync(TimeSpan age)
    {
        var list = (RedisKey)(_prefix + "dataprotection:keys");
        var elements = await StoredElementsAsync();
        for (var i = 0; i < elements.Length; i++)
        {
            var element = XElement.Parse(elements[i]);
            element.SetElementValue("creationDate", DateTimeOffset.UtcNow - age);
            element.SetElementValue("activationDate", DateTimeOffset.UtcNow - age);
            await redis.Inspect.ListSetByIndexAsync(list, i, element.ToString(SaveOptions.DisableFormatting));
        }
    }

    private static async Task<HealthReportEntry> KeyRingHealthAsync(IServiceProvider services) =>
        (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == KeyRingHealthCheck.Name)).Entries[KeyRingHealthCheck.Name];

    // A protected payload starts with a 4-byte magic header and the id of the key that protected it.
    private static Guid KeyOf(byte[] payload) => new(payload.AsSpan(4, 16));

    private async Task<string> StoredKeyAsync() =>
        (string)(await redis.Inspect.ListRangeAsync((RedisKey)(_prefix + "dataprotection:keys"))).Single()!;

    [Fact]
    public async Task With_a_certificate_the_stored_key_is_encrypted_and_every_instance_with_it_reads_the_ring()
    {
        var certificate = CertificateFile();
        await using var first = await BuildAsync(certificate);
        var protectedValue = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");

        var stored = await StoredKeyAsync();
        Assert.Contains("EncryptedData", stored);
        Assert.DoesNotContain("<value>", stored); // the master key is not in clear

        await using var second = await BuildAsync(certificate);
        Assert.Equal("a refresh token", second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedValue));

        // Someone who reads Redis but lacks the certificate's private key cannot use the ring.
        await using var withoutCertificate = await BuildAsync(certificatePath: null);
        Assert.ThrowsAny<CryptographicException>(() =>
            withoutCertificate.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedValue));
    }

    [Fact]
    public async Task A_certificate_in_the_store_named_by_its_thumbprint_encrypts_the_ring()
    {
        using var fromFile = X509CertificateLoader.LoadPkcs12FromFile(CertificateFile(), Password, X509KeyStorageFlags.PersistKeySet | X509KeyStorageFlags.Exportable);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(fromFile);
        try
        {
            await using var provider = await BuildAsync(new KeyRingCertificateOptions { Thumbprint = fromFile.Thumbprint.ToLowerInvariant() });
            var secret = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");

            Assert.Contains("EncryptedData", await StoredKeyAsync());
            Assert.Equal("x", provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(secret));
            var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildAsync(new KeyRingCertificateOptions { Thumbprint = new string('A', 40) }));
            Assert.Contains("is not in the CurrentUser/My store", unknown.Message);
        }
        finally
        {
            store.Remove(fromFile);
        }
    }

    [Fact]
    public async Task Without_a_certificate_the_key_is_stored_in_clear()
    {
        await using var provider = await BuildAsync(certificatePath: null);
        provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");

        Assert.Contains("<value>", await StoredKeyAsync());
    }

    [Fact]
    public async Task A_wrong_password_or_a_missing_file_stops_the_setup_with_a_message_that_says_what_to_fix()
    {
        var certificate = CertificateFile();

        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildAsync(certificate, "not-the-password"));
        Assert.Contains("Bff:DataProtection:Certificate:Password", wrong.Message);
        Assert.DoesNotContain("not-the-password", wrong.Message);

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildAsync(Path.Combine(_directory, "nope.pfx")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public async Task An_instance_without_the_certificate_refuses_to_start_against_an_encrypted_ring_and_adds_nothing_to_it()
    {
        await using (var withCertificate = await BuildAsync(CertificateFile()))
        {
            withCertificate.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");
        }

        var before = await StoredElementsAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartHostAsync(new KeyRingCertificateOptions()));
        Assert.Contains("Bff:DataProtection:Certificate:Path and :Password, or :Thumbprint", refused.Message);
        Assert.Equal(before, await StoredElementsAsync());

        // Used without the start-up check, it still adds no clear key to the ring: protecting fails instead.
        await using var withoutCertificate = await BuildAsync(certificatePath: null);
        Assert.ThrowsAny<CryptographicException>(() => withoutCertificate.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x"));
        Assert.Equal(before, await StoredElementsAsync());
    }

    [Fact]
    public async Task An_instance_with_another_certificate_refuses_to_start_against_the_ring()
    {
        await using (var first = await BuildAsync(CertificateFile()))
        {
            first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");
        }

        var before = await StoredElementsAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            StartHostAsync(new KeyRingCertificateOptions { Path = CertificateFile("other.pfx"), Password = Password }));
        Assert.Contains("decrypts none of the current keys", refused.Message);
        Assert.Equal(before, await StoredElementsAsync());
    }

    [Fact]
    public async Task Setting_the_certificate_on_a_ring_with_a_clear_key_makes_an_encrypted_key_protect_new_data_and_old_cookies_still_read()
    {
        byte[] oldCookie;
        await using (var before = await BuildAsync(certificatePath: null))
        {
            oldCookie = before.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("an old session"u8.ToArray());
        }

        var clearKey = KeyOf(oldCookie);
        await BackdateKeysAsync(TimeSpan.FromDays(10));
        var certificate = CertificateFile();
        var logs = new RecordingLoggerProvider();

        using var host = await StartHostAsync(new KeyRingCertificateOptions { Path = certificate, Password = Password }, logs);
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");

        var newKey = KeyOf(protector.Protect("a new session"u8.ToArray()));
        Assert.NotEqual(clearKey, newKey);
        var stored = (await StoredKeyAsync(newKey)).ToString();
        Assert.Contains("EncryptedData", stored);
        Assert.DoesNotContain("<value>", stored);
        var key = Assert.Single(host.Services.GetRequiredService<IKeyManager>().GetAllKeys(), k => k.KeyId == newKey);
        Assert.InRange(key.ActivationDate, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        var lifetime = host.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime;
        Assert.InRange(key.ExpirationDate - key.ActivationDate, lifetime - TimeSpan.FromMinutes(1), lifetime);
        Assert.Equal("an old session", Encoding.UTF8.GetString(protector.Unprotect(oldCookie)));

        Assert.Contains(logs.Entries, e => e.EventId == 8110 && e.Message.Contains(newKey.ToString(), StringComparison.Ordinal));
        var warning = Assert.Single(logs.Entries, e => e.EventId == 8111);
        Assert.Contains($"1 unencrypted key(s) ({clearKey})", warning.Message);
        Assert.Contains("IKeyManager.RevokeKey", warning.Message);
        Assert.Contains(logs.Entries, e => e.EventId == 8102 && e.Message.Contains("only an encrypted key protects new data", StringComparison.Ordinal));

        // Another instance with the certificate takes the encrypted key as its default too, not the clear one.
        await using var second = await BuildAsync(certificate);
        var secondProtector = second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal(newKey, KeyOf(secondProtector.Protect("x"u8.ToArray())));
        Assert.Equal("an old session", Encoding.UTF8.GetString(secondProtector.Unprotect(oldCookie)));
    }

    [Fact]
    public async Task The_key_ring_check_is_unhealthy_on_an_instance_that_cannot_decrypt_the_ring_and_healthy_otherwise()
    {
        await using var withCertificate = await BuildAsync(CertificateFile());
        Assert.Equal(HealthStatus.Healthy, (await KeyRingHealthAsync(withCertificate)).Status);
        var registration = Assert.Single(withCertificate.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == KeyRingHealthCheck.Name);
        Assert.Contains(BffDefaults.HealthReadyTag, registration.Tags);

        await using var withoutCertificate = await BuildAsync(certificatePath: null);
        Assert.Equal(HealthStatus.Unhealthy, (await KeyRingHealthAsync(withoutCertificate)).Status);

        await using var withAnotherCertificate = await BuildAsync(CertificateFile("other.pfx"));
        var other = await KeyRingHealthAsync(withAnotherCertificate);
        Assert.Equal(HealthStatus.Unhealthy, other.Status);
        Assert.Contains("cannot decrypt key(s)", other.Description);
    }
}
