using System.Security.Claims;
using System.Security.Cryptography;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Tests.Sessions;

public sealed class SessionTicketProtectorTests
{
    private readonly EphemeralDataProtectionProvider _keys = new();

    // Tokens the size of the development provider's: a JWT access token and id_token, an opaque refresh token.
    private static AuthenticationTicket Ticket()
    {
        static string Jwt(int payloadBytes) =>
            "eyJhbGciOiJSUzI1NiIsImtpZCI6ImRldiJ9." + Base64Url(RandomText(payloadBytes)) + "." + Base64Url(RandomNumberGenerator.GetBytes(256));
        var identity = new ClaimsIdentity(
            [new Claim("sub", "alice", null, "https://idp.example"), new Claim("sid", "sid-1", null, "https://idp.example"),
             new Claim("email", "alice@example.com", null, "https://idp.example")], "oidc");
        var properties = new AuthenticationProperties();
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = "access_token", Value = Jwt(300) },
            new AuthenticationToken { Name = "id_token", Value = Jwt(420) },
            new AuthenticationToken { Name = "refresh_token", Value = Base64Url(RandomNumberGenerator.GetBytes(32)) },
            new AuthenticationToken { Name = "expires_at", Value = "2026-11-28T18:00:00.0000000+00:00" },
        ]);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, "Cookies");
    }

    private static byte[] RandomText(int length) =>
        System.Text.Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, length / 12).Select(i => $"\"c{i}\":{i * 7919}")));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void A_ticket_reads_back_with_every_token_and_claim()
    {
        var protector = new SessionTicketProtector(_keys);
        var ticket = Ticket();

        var read = protector.Unprotect(protector.Protect(ticket, "session-1"), "session-1")!;

        Assert.Equal(ticket.Properties.GetTokenValue("access_token"), read.Properties.GetTokenValue("access_token"));
        Assert.Equal(ticket.Properties.GetTokenValue("id_token"), read.Properties.GetTokenValue("id_token"));
        Assert.Equal(ticket.Properties.GetTokenValue("refresh_token"), read.Properties.GetTokenValue("refresh_token"));
        Assert.Equal(["alice", "sid-1", "alice@example.com"], read.Principal.Claims.Select(c => c.Value));
        Assert.Equal("https://idp.example", read.Principal.FindFirst("sub")!.Issuer);
    }

    [Fact]
    public void The_stored_ticket_is_compressed_and_holds_no_token_in_clear()
    {
        var protector = new SessionTicketProtector(_keys);
        var ticket = Ticket();
        var uncompressed = _keys.CreateProtector("Bff.Sessions.Ticket.v1").Protect(TicketSerializer.Default.Serialize(ticket));

        var stored = protector.Protect(ticket, "session-1");

        Assert.True(stored.Length < uncompressed.Length * 0.85, $"{stored.Length} B stored vs {uncompressed.Length} B uncompressed");
        var text = System.Text.Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain("eyJ", text);
        Assert.DoesNotContain("alice", text);
    }

    [Fact]
    public void A_ticket_stored_uncompressed_by_an_earlier_version_still_reads()
    {
        var ticket = Ticket();
        var earlier = _keys.CreateProtector("Bff.Sessions.Ticket.v1").Protect(TicketSerializer.Default.Serialize(ticket));

        var read = new SessionTicketProtector(_keys).Unprotect(earlier, "session-1");

        Assert.Equal(ticket.Properties.GetTokenValue("access_token"), read!.Properties.GetTokenValue("access_token"));
    }

    [Theory]
    [InlineData(new byte[] { 0xB1 })]
    [InlineData(new byte[] { 0xB1, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0xB1, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3 })]
    [InlineData(new byte[] { 0xB1, 10, 0, 0, 0, 1, 2, 3 })]
    public void A_compressed_layout_that_does_not_add_up_reads_as_no_ticket(byte[] plain)
    {
        var stored = _keys.CreateProtector("Bff.Sessions.Ticket.v1").Protect(plain);

        Assert.Null(new SessionTicketProtector(_keys).Unprotect(stored, "session-1"));
    }

    [Fact]
    public void Bytes_from_other_keys_read_as_no_ticket()
    {
        var stored = new SessionTicketProtector(new EphemeralDataProtectionProvider()).Protect(Ticket(), "session-1");

        Assert.Null(new SessionTicketProtector(_keys).Unprotect(stored, "session-1"));
    }

    // Someone who can write to the store but decrypt nothing copied a victim's ticket into their own session's record:
    // their cookie then ran as the victim, with the victim's tokens.
    [Fact]
    public void A_ticket_copied_into_another_sessions_record_does_not_read_there()
    {
        var protector = new SessionTicketProtector(_keys);
        var victims = protector.Protect(Ticket(), "victim-session");

        Assert.Null(protector.Unprotect(victims, "attacker-session"));
        Assert.NotNull(protector.Unprotect(victims, "victim-session"));
    }

    // During a rolling upgrade the previous version reads these tickets: same purpose, same layout (Brotli, 0xB1, then
    // the framework's ticket format), the binding an ordinary properties item it carries along.
    [Fact]
    public void A_bound_ticket_reads_as_the_previous_version_reads_tickets()
    {
        var stored = new SessionTicketProtector(_keys).Protect(Ticket(), "session-1");

        var plain = _keys.CreateProtector("Bff.Sessions.Ticket.v1").Unprotect(stored);
        Assert.Equal(0xB1, plain[0]);
        var serialized = new byte[BitConverter.ToInt32(plain, 1)];
        Assert.True(System.IO.Compression.BrotliDecoder.TryDecompress(plain.AsSpan(5), serialized, out _));
        var read = TicketSerializer.Default.Deserialize(serialized)!;
        Assert.Equal("alice", read.Principal.FindFirst("sub")!.Value);
        Assert.Equal("session-1", read.Properties.Items["bff.session"]);
    }
}
