using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Bff.Redis;

/// <summary>
/// Which keys of the ring are stored encrypted. Data protection's key API does not say, so this reads the XML the
/// repository holds: an encrypted key has its secret replaced by an <c>encryptedSecret</c> element, a clear one
/// still carries the element marked <c>requiresEncryption</c> with the master key inside.
/// </summary>
internal static class KeyRingXml
{
    private const string Namespace = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XName EncryptedSecret = XName.Get("encryptedSecret", Namespace);
    private static readonly XName RequiresEncryption = XName.Get("requiresEncryption", Namespace);

    public static bool IsKey(XElement element) => element.Name == "key";

    public static bool IsEncrypted(XElement key) =>
        key.Descendants(EncryptedSecret).Any() &&
        !key.DescendantsAndSelf().Any(e => string.Equals((string?)e.Attribute(RequiresEncryption), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every key in the ring by id, and whether it is stored encrypted.</summary>
    public static Dictionary<Guid, bool> Keys(IXmlRepository repository)
    {
        var keys = new Dictionary<Guid, bool>();
        foreach (var element in repository.GetAllElements())
        {
            if (IsKey(element) && Guid.TryParse((string?)element.Attribute("id"), out var id))
            {
                keys[id] = IsEncrypted(element);
            }
        }

        return keys;
    }

    /// <summary>Whether this instance can read the key's master key (decrypt it, when it is stored encrypted).</summary>
    public static bool CanDecrypt(IKey key)
    {
        try
        {
            return key.CreateEncryptor() is not null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    public static IXmlRepository Repository(KeyManagementOptions options) =>
        options.XmlRepository ?? throw new InvalidOperationException("The data-protection key ring has no repository in Redis.");
}
