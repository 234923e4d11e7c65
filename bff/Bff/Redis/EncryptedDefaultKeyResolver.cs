using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;

namespace Bff.Redis;

/// <summary>
/// With a certificate set, only a key stored encrypted may become the default key, the one new cookies and tickets
/// are protected with: a key written in clear (before the certificate was set, or by an instance without it) stays
/// in the ring so that what it protected stays readable, but protects nothing new. When no encrypted key is usable,
/// data protection creates one, active at once. Otherwise the framework's resolver decides as usual.
/// </summary>
internal sealed class EncryptedDefaultKeyResolver(IDefaultKeyResolver inner, IOptions<KeyManagementOptions> options) : IDefaultKeyResolver
{
    // A stored key never changes, so the ring is read again only for a key not seen before.
    private readonly ConcurrentDictionary<Guid, bool> _encrypted = new();

    public DefaultKeyResolution ResolveDefaultKeyPolicy(DateTimeOffset now, IEnumerable<IKey> allKeys)
    {
        var keys = allKeys.ToList();
        if (keys.Exists(k => !_encrypted.ContainsKey(k.KeyId)))
        {
            foreach (var (id, encrypted) in KeyRingXml.Keys(KeyRingXml.Repository(options.Value)))
            {
                _encrypted[id] = encrypted;
            }
        }

        return inner.ResolveDefaultKeyPolicy(now, keys.Where(k => _encrypted.GetValueOrDefault(k.KeyId)));
    }
}
