using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Sessions.Store;

/// <summary>
/// Serializes the authentication ticket (claims and tokens), compresses it and encrypts it for storage: no
/// token is ever at rest in clear. Compressing makes a session about a third smaller in the store (the tokens
/// are most of it). It happens before encryption, so the stored length says something about the content; that
/// length never leaves the server (the cookie holds only a key). Tickets written uncompressed still read.
/// </summary>
internal sealed class SessionTicketProtector(IDataProtectionProvider dataProtection)
{
    // The first plaintext byte tells the two layouts apart: TicketSerializer's output starts with its format version (5).
    private const byte BrotliLayout = 0xB1;
    private const int HeaderLength = 1 + sizeof(int);
    private const int MaxTicketLength = 1 << 20;
    private const int BrotliQuality = 5;
    private const int BrotliWindow = 16;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.Ticket.v1");

    public byte[] Protect(AuthenticationTicket ticket)
    {
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

    /// <summary>The ticket, or null when the bytes cannot be decrypted (e.g. the key ring lost the key) or read.</summary>
    public AuthenticationTicket? Unprotect(byte[] protectedTicket)
    {
        byte[] plain;
        try
        {
            plain = _protector.Unprotect(protectedTicket);
        }
        // A key ring that cannot be read (its store is down) is an outage, not an unreadable ticket.
        catch (CryptographicException ex) when (SessionStoreUnavailableException.Find(ex) is null)
        {
            return null;
        }

        return plain.Length > 0 && plain[0] == BrotliLayout ? Decompress(plain) : TicketSerializer.Default.Deserialize(plain);
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
