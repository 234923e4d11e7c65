using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Sessions.Store;

/// <summary>Serializes the authentication ticket (claims and tokens) and encrypts it for storage: no token is ever at rest in clear.</summary>
internal sealed class SessionTicketProtector(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.Ticket.v1");

    public byte[] Protect(AuthenticationTicket ticket) =>
        _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    /// <summary>The ticket, or null when the bytes cannot be decrypted (e.g. the key ring lost the key).</summary>
    public AuthenticationTicket? Unprotect(byte[] protectedTicket)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(protectedTicket));
        }
        // A key ring that cannot be read (its store is down) is an outage, not an unreadable ticket.
        catch (System.Security.Cryptography.CryptographicException ex) when (SessionStoreUnavailableException.Find(ex) is null)
        {
            return null;
        }
    }
}
