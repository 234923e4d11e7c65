using System.Security.Cryptography.X509Certificates;

namespace Bff.Redis;

/// <summary>
/// The X.509 certificate that encrypts the data-protection key ring at rest in Redis
/// (<c>Bff:DataProtection:Certificate</c>): a PKCS#12 file (<see cref="Path"/> and <see cref="Password"/>) or a
/// certificate in an X.509 store (<see cref="Thumbprint"/>). Leave both empty to store the key ring unencrypted.
/// </summary>
public sealed class KeyRingCertificateOptions
{
    /// <summary>A PKCS#12 (.pfx/.p12) file with the certificate and its private key.</summary>
    public string? Path { get; set; }

    /// <summary>The password of <see cref="Path"/>; from a secret store, not from a file in the repository.</summary>
    public string? Password { get; set; }

    /// <summary>The SHA-1 thumbprint of a certificate (with its private key) in <see cref="StoreName"/>.</summary>
    public string? Thumbprint { get; set; }

    /// <summary>The store searched for <see cref="Thumbprint"/>. Defaults to <c>My</c>.</summary>
    public StoreName StoreName { get; set; } = StoreName.My;

    /// <summary>The store location searched for <see cref="Thumbprint"/>. Defaults to <c>CurrentUser</c>.</summary>
    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    internal bool IsSet => !string.IsNullOrWhiteSpace(Path) || !string.IsNullOrWhiteSpace(Thumbprint);
}
