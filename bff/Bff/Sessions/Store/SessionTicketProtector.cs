using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Sessions.Store;

/// <summary>
/// Serializes the authentication ticket (claims and tokens), compresses it and encrypts it for storage: no
/// token is ever at rest in clear. Compressing makes a session about a third smaller in the store (the tokens
/// are most of it). It happens before encryption, so the stored length says something about the content; that
/// length never leaves the server (the cookie holds only a key). Tickets written uncompressed still read.
/// <para>
/// Each ticket is bound to its session: the session's storage id is written inside it, under the encryption, so a
/// ticket copied into another session's record (by someone who can write to the store but decrypt nothing) does not
/// read there, and that session reads as unreadable instead of running as the ticket's user. The id is an item of
/// the ticket's properties, which an instance of an earlier version reads past: during a rolling upgrade both
/// versions read each other's tickets. Tickets written without it still read until their session next writes its
/// ticket or ends.
/// </para>
/// </summary>
internal sealed class SessionTicketProtector(IDataProtectionProvider dataProtection, KeyRingReload? keyRingReload = null)
{
    // The first plaintext byte tells the two layouts apart: TicketSerializer's output starts with its format version (5).
    private const byte BrotliLayout = 0xB1;
    private const int HeaderLength = 1 + sizeof(int);
    private const int MaxTicketLength = 1 << 20;
    private const int BrotliQuality = 5;
    private const int BrotliWindow = 16;

    // The ticket's properties item that holds the storage id of the session it belongs to.
    internal const string SessionItem = "bff.session";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.Ticket.v1");

    /// <param name="ticket">The session's ticket.</param>
    /// <param name="storageId">The storage id of the session whose record will hold it.</param>
    public byte[] Protect(AuthenticationTicket ticket, string storageId)
    {
        ticket.Properties.Items[SessionItem] = storageId;
        var serialized = TicketSerializer.Default.Serialize(ticket);
        var plain = new byte[HeaderLength + BrotliEncoder.GetMaxCompressedLength(serialized.Length)];
        plain[0] = BrotliLayout;
        BinaryPrimitives.WriteInt32LittleEndian(plain.AsSpan(1), serialized.Length);
        if (!BrotliEncoder.TryCompress(serialized, plain.AsSpan(HeaderLength), out var written, BrotliQuality, BrotliWindow))
        {
            throw new InvalidOperationException("The session ticket could not be compressed.");
        }

        return _protector.Protect(plain[..(HeaderLength + written)]);
    }

    /// <summary>
    /// The ticket, or null when the bytes cannot be decrypted (the key ring lost the key, or the ticket was written for
    /// another session) or read. Throws <see cref="SessionStoreUnavailableException"/> while the ticket's key is one this
    /// instance has not read yet (see <see cref="KeyRingReload"/>).
    /// </summary>
    /// <param name="protectedTicket">The ticket as stored.</param>
    /// <param name="storageId">The storage id of the session whose record holds it.</param>
    public AuthenticationTicket? Unprotect(byte[] protectedTicket, string storageId)
    {
        byte[] plain;
        try
        {
            plain = _protector.Unprotect(protectedTicket);
        }
        // A key ring that cannot be read (its store is down) is an outage, not an unreadable ticket.
        catch (CryptographicException ex) when (SessionStoreUnavailableException.Find(ex) is null)
        {
            if (keyRingReload?.StateOf(protectedTicket) == KeyRingReload.KeyState.NotYetRead)
            {
                // Rewritten elsewhere with a key made since this instance read the ring: not readable here yet, which is
                // not unreadable (that would end the session). Answered like an outage while the ring is read again.
                throw new SessionStoreUnavailableException("The ticket's data-protection key is not in this instance's key ring yet.", ex);
            }

            return null;
        }

        var ticket = plain.Length > 0 && plain[0] == BrotliLayout ? Decompress(plain) : TicketSerializer.Default.Deserialize(plain);
        return ticket is not null && ticket.Properties.Items.TryGetValue(SessionItem, out var boundTo) && boundTo != storageId
            ? null
            : ticket;
    }

    private static AuthenticationTicket? Decompress(byte[] plain)
    {
        var length = plain.Length >= HeaderLength ? BinaryPrimitives.ReadInt32LittleEndian(plain.AsSpan(1)) : -1;
        if (length is <= 0 or > MaxTicketLength)
        {
            return null;
        }

        var serialized = new byte[length];
        return BrotliDecoder.TryDecompress(plain.AsSpan(HeaderLength), serialized, out var written) && written == length
            ? TicketSerializer.Default.Deserialize(serialized)
            : null;
    }
}
