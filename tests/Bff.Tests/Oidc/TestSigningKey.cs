using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Oidc;

/// <summary>A key pair made in the test, and compact JWS signed with it exactly as the header says.</summary>
internal sealed class TestSigningKey
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;

    private TestSigningKey(string kid, string alg, RSA? rsa, ECDsa? ec)
    {
        Kid = kid;
        Algorithm = alg;
        _rsa = rsa;
        _ec = ec;
    }

    public string Kid { get; }

    /// <summary>The JWS algorithm this key signs with.</summary>
    public string Algorithm { get; }

    public static TestSigningKey Rsa(string kid, string alg = SecurityAlgorithms.RsaSha256) => new(kid, alg, RSA.Create(2048), null);

    public static TestSigningKey Ec(string kid) => new(kid, SecurityAlgorithms.EcdsaSha256, null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The public half, as the provider's JWKS would publish it.</summary>
    public SecurityKey PublicKey => _rsa is not null
        ? new RsaSecurityKey(_rsa.ExportParameters(includePrivateParameters: false)) { KeyId = Kid }
        : new ECDsaSecurityKey(PublicEc()) { KeyId = Kid };

    /// <summary>The bytes of the public key, what an attacker can read from the JWKS.</summary>
    public byte[] PublicKeyBytes => _rsa is not null ? _rsa.ExportSubjectPublicKeyInfo() : _ec!.ExportSubjectPublicKeyInfo();

    /// <summary>A JWT with this key's kid and alg in the header (either may be overridden) and the given payload.</summary>
    public string Sign(IReadOnlyDictionary<string, object?> payload, IReadOnlyDictionary<string, object?>? headerOverrides = null)
    {
        var header = new Dictionary<string, object?> { ["alg"] = Algorithm, ["kid"] = Kid, ["typ"] = "JWT" };
        foreach (var (name, value) in headerOverrides ?? new Dictionary<string, object?>())
        {
            if (value is null)
            {
                header.Remove(name);
            }
            else
            {
                header[name] = value;
            }
        }

        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + WebEncoders.Base64UrlEncode(SignBytes(Encoding.ASCII.GetBytes(signingInput), (string)header["alg"]!));
    }

    /// <summary>A JWT with any header, signed (or not) by the caller.</summary>
    public static string Unsigned(IReadOnlyDictionary<string, object?> header, IReadOnlyDictionary<string, object?> payload) =>
        Encode(header) + "." + Encode(payload) + ".";

    public static string Encode(IReadOnlyDictionary<string, object?> json) =>
        WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(json));

    private byte[] SignBytes(byte[] data, string alg) => alg switch
    {
        SecurityAlgorithms.RsaSha256 => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        SecurityAlgorithms.RsaSha384 => _rsa!.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        SecurityAlgorithms.RsaSsaPssSha256 => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        SecurityAlgorithms.EcdsaSha256 => _ec!.SignData(data, HashAlgorithmName.SHA256),
        _ => throw new ArgumentException($"The test key cannot sign {alg}.", nameof(alg)),
    };

    private ECDsa PublicEc()
    {
        var ec = ECDsa.Create();
        ec.ImportParameters(_ec!.ExportParameters(includePrivateParameters: false));
        return ec;
    }
}
