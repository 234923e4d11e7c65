using System.Security.Cryptography.X509Certificates;

namespace Bff.Redis;

/// <summary>
/// Loads the key-ring certificate named by <see cref="KeyRingCertificateOptions"/>. Fails with a message that says
/// how to fix the setup (never with the password), because a BFF that silently stored its keys unencrypted
/// would defeat the setting.
/// </summary>
internal static class KeyRingCertificate
{
    public static X509Certificate2 Load(KeyRingCertificateOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Path) && !string.IsNullOrWhiteSpace(options.Thumbprint))
        {
            throw Invalid("names both a file (Path) and a store certificate (Thumbprint): set one of them");
        }

        var certificate = !string.IsNullOrWhiteSpace(options.Path) ? FromFile(options.Path, options.Password) : FromStore(options);
        using var rsa = certificate.HasPrivateKey ? certificate.GetRSAPrivateKey() : null;
        var problem =
            !certificate.HasPrivateKey ? "has no private key: the key ring could be encrypted but never read back; use a PKCS#12 file or store entry with its private key"
            : rsa is null ? "is not an RSA certificate: data protection encrypts keys with RSA (e.g. 'openssl req -x509 -newkey rsa:3072 ...')"
            : null;
        if (problem is not null)
        {
            certificate.Dispose();
            throw Invalid(problem);
        }

        return certificate;
    }

    private static X509Certificate2 FromFile(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw Invalid($"file '{path}' does not exist");
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException)
        {
            throw Invalid($"file '{path}' is not a PKCS#12 file, or Bff:DataProtection:Certificate:Password does not open it");
        }
    }

    private static X509Certificate2 FromStore(KeyRingCertificateOptions options)
    {
        var thumbprint = options.Thumbprint!.Replace(" ", "", StringComparison.Ordinal);
        using var store = new X509Store(options.StoreName, options.StoreLocation);
        X509Certificate2Collection found;
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
        }
        catch (CryptographicException)
        {
            found = [];
        }

        return found.Count > 0
            ? found[0]
            : throw Invalid($"thumbprint {thumbprint} is not in the {options.StoreLocation}/{options.StoreName} store");
    }

    /// <summary>The ring holds encrypted keys but this instance has no certificate: it could read none of them.</summary>
    public static InvalidOperationException Missing() => new(
        "The data-protection key ring in Redis is encrypted with a certificate, but Bff:DataProtection:Certificate is not set here: " +
        "set Bff:DataProtection:Certificate:Path and :Password, or :Thumbprint, to the certificate the other instances use. " +
        "Without it this instance reads none of their cookies and would add an unencrypted key to the ring.");

    /// <summary>The ring's current keys were encrypted with another certificate, one this instance does not have.</summary>
    public static InvalidOperationException Foreign(string thumbprint) => Invalid(
        $"(thumbprint {thumbprint}) decrypts none of the current keys of the key ring in Redis: set Bff:DataProtection:Certificate:Path " +
        "and :Password, or :Thumbprint, to the certificate the other instances use; after renewing it, keep the previous one in the " +
        "X.509 store until the keys it encrypted have expired");

    private static InvalidOperationException Invalid(string problem) =>
        new($"Bff:DataProtection:Certificate {problem}.");
}
