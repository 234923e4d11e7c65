using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Bff.Redis;

/// <summary>
/// Wraps the key ring's repository so that an instance without the certificate never adds a key in clear to a ring
/// the others encrypt: data protection would do so whenever it finds no key it can decrypt, and the other instances
/// could then take that key as their default. Checked on every write, not just at start-up, because the others may
/// get the certificate while this instance runs.
/// </summary>
internal sealed class KeyRingWriteGuard(IXmlRepository inner) : IXmlRepository
{
    /// <summary>The repository in Redis this guards.</summary>
    public IXmlRepository Inner => inner;

    public IReadOnlyCollection<XElement> GetAllElements() => inner.GetAllElements();

    public void StoreElement(XElement element, string friendlyName)
    {
        if (KeyRingXml.IsKey(element) && !KeyRingXml.IsEncrypted(element) && KeyRingXml.Keys(inner).ContainsValue(true))
        {
            throw KeyRingCertificate.Missing();
        }

        inner.StoreElement(element, friendlyName);
    }
}
