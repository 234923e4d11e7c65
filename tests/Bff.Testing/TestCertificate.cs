using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bff.Testing;

/// <summary>Self-signed server certificates made for a test: nothing is installed or trusted machine-wide.</summary>
public static class TestCertificate
{
    /// <summary>A certificate for <c>localhost</c>, valid for a day, with its private key.</summary>
    public static X509Certificate2 Localhost()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
