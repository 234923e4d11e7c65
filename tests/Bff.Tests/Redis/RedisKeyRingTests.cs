using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
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
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<RedisConnection>().StartAsync();
        return provider;
    }

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
}
