using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;

namespace Bff.Sessions.Store;

/// <summary>
/// Tells a ticket protected with a key this instance has not read yet from one that cannot be read at all. Data
/// protection reads the shared key ring at start-up (and, for two minutes after, again for a key it does not know),
/// then about once a day. A key another instance made active at once (the first encrypted key after a key-ring
/// certificate is added, a key that replaced a lost one) stays unknown here until then, and a session whose ticket
/// another instance rewrote with it must not be ended as unreadable for that. So a key missing from the ring makes data
/// protection read the ring again (at most every <see cref="MinReloadInterval"/>), and the key counts as unknown only
/// once a read that began after it was first missed has finished without it.
/// </summary>
internal sealed class KeyRingReload(IKeyRingProvider keyRing, IKeyManager keys, TimeProvider time)
{
    /// <summary>How often at most a missing key makes this instance read the ring again.</summary>
    public static readonly TimeSpan MinReloadInterval = TimeSpan.FromSeconds(5);

    /// <summary>How many missing keys are remembered; past it the memory starts over (the keys are then missed anew).</summary>
    internal const int MaxMissedKeys = 1_000;

    // Data protection's payloads start with this header, then the id of the key that protected them.
    private static readonly byte[] MagicHeader = [0x09, 0xF0, 0xC9, 0xF0];
    private const int KeyIdLength = 16;

    // Key id → how many reads of the ring had begun when it was first missed.
    private readonly ConcurrentDictionary<Guid, long> _missed = new();
    private readonly Lock _gate = new();
    private DateTimeOffset? _reloadRequestedAt;

    /// <summary>What the key that protected <paramref name="payload"/> (which did not decrypt) is to this instance.</summary>
    public KeyState StateOf(ReadOnlySpan<byte> payload)
    {
        // An app's own key manager registered after the BFF's cannot be told to read again: as before, unreadable.
        if (keys is not ReloadableKeyManager reloadable || payload.Length < MagicHeader.Length + KeyIdLength || !payload.StartsWith(MagicHeader))
        {
            return KeyState.Unknown;
        }

        var keyId = new Guid(payload.Slice(MagicHeader.Length, KeyIdLength));
        if (CurrentRing().GetAuthenticatedEncryptorByKeyId(keyId, out _) is not null)
        {
            _missed.TryRemove(keyId, out _);
            return KeyState.Known;
        }

        if (_missed.Count >= MaxMissedKeys)
        {
            _missed.Clear();
        }

        var missedAt = _missed.GetOrAdd(keyId, _ => reloadable.ReadsStarted);
        if (reloadable.LastRead is { } read && read.Number > missedAt)
        {
            // A read that began after the miss has finished. With the key, the ring is being rebuilt with it (or this
            // instance cannot use it: a key-ring certificate it lacks); without it, the key is nowhere.
            return read.KeyIds.Contains(keyId) ? KeyState.NotYetRead : KeyState.Unknown;
        }

        RequestReload(reloadable);
        return KeyState.NotYetRead;
    }

    private void RequestReload(ReloadableKeyManager reloadable)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_reloadRequestedAt is { } at && now - at < MinReloadInterval)
            {
                return;
            }

            _reloadRequestedAt = now;
        }

        reloadable.Reload();
        // The first use after the reload starts the read (the use itself still gets the old ring): start it now.
        CurrentRing();
    }

    private IKeyRing CurrentRing()
    {
        try
        {
            return keyRing.GetCurrentKeyRing();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A read of the ring that failed (its store is down) is rethrown to the next caller as it was.
            throw new SessionStoreUnavailableException("The data-protection key ring could not be read.", ex);
        }
    }

    public enum KeyState
    {
        /// <summary>This instance has the key: a payload it cannot read was tampered with or written for something else.</summary>
        Known,

        /// <summary>Not in the ring as this instance uses it yet; it is being read again.</summary>
        NotYetRead,

        /// <summary>Not in the ring even as read again after it was first missed (or not a data-protection payload).</summary>
        Unknown,
    }
}
