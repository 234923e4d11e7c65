using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;

namespace Bff.Sessions.Store;

/// <summary>
/// Tells a ticket protected with a key this instance has not read yet from one that cannot be read at all. Data
/// protection reads the shared key ring at start-up (and, for two minutes after, again for a key it does not know),
/// then about once a day. A key another instance made active at once (the first encrypted key after a key-ring
/// certificate is added, a key that replaced a lost one) stays unknown here until then, and a session whose ticket
/// another instance rewrote with it must not be ended as unreadable for that. So an unknown key makes data protection
/// read the ring again (at most every <see cref="MinReloadInterval"/>), and the ticket counts as unreadable only if
/// its key is still unknown once that read has had <see cref="ReloadTime"/> to finish.
/// </summary>
internal sealed class KeyRingReload(IKeyRingProvider keyRing, ReloadableKeyManager keys, TimeProvider time)
{
    /// <summary>How long a read of the ring is given before its answer counts.</summary>
    public static readonly TimeSpan ReloadTime = TimeSpan.FromSeconds(2);

    /// <summary>How often at most an unknown key makes this instance read the ring again.</summary>
    public static readonly TimeSpan MinReloadInterval = TimeSpan.FromSeconds(30);

    // Data protection's payloads start with a 4-byte magic header, then the id of the key that protected them.
    private const int KeyIdOffset = 4;
    private const int KeyIdLength = 16;

    private readonly Lock _gate = new();
    private DateTimeOffset? _reloadedAt;

    /// <summary>What the key that protected <paramref name="payload"/> is to this instance.</summary>
    public KeyState StateOf(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < KeyIdOffset + KeyIdLength ||
            keyRing.GetCurrentKeyRing().GetAuthenticatedEncryptorByKeyId(new Guid(payload.Slice(KeyIdOffset, KeyIdLength)), out _) is not null)
        {
            return KeyState.Known;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_reloadedAt is { } at && now - at >= ReloadTime && now - at < MinReloadInterval)
            {
                // The ring was read again after this instance first missed a key, and it is still not there.
                return KeyState.Unknown;
            }

            if (_reloadedAt is null || now - _reloadedAt >= MinReloadInterval)
            {
                _reloadedAt = now;
                keys.Reload();
                // The first use after the reload starts the read (the use itself still gets the old ring): start it now.
                keyRing.GetCurrentKeyRing();
            }

            return KeyState.NotYetRead;
        }
    }

    public enum KeyState
    {
        /// <summary>This instance has the key: a payload it cannot read was tampered with or written for something else.</summary>
        Known,

        /// <summary>Not in the ring as this instance last read it; it is being read again.</summary>
        NotYetRead,

        /// <summary>Not in the ring even as read again just now.</summary>
        Unknown,
    }
}
