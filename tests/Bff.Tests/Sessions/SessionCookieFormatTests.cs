using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Bff.Tests.Sessions;

public sealed class SessionCookieFormatTests
{
    private const string Scheme = "bff-cookie";
    private readonly EphemeralDataProtectionProvider _keys = new();

    private SessionCookieFormat Format(IDataProtectionProvider? keys = null) => new(keys ?? _keys, Scheme);

    private static AuthenticationTicket TicketWithKey(string key, params Claim[] more) =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(SessionCookieFormat.SessionKeyClaim, key), .. more], Scheme)), Scheme);

    [Fact]
    public void Round_trips_the_session_key()
    {
        var key = SessionKeys.NewKey();
        var format = Format();

        var ticket = format.Unprotect(format.Protect(TicketWithKey(key)));

        Assert.NotNull(ticket);
        Assert.Equal(Scheme, ticket.AuthenticationScheme);
        Assert.Equal(key, ticket.Principal.FindFirst(SessionCookieFormat.SessionKeyClaim)?.Value);
    }

    [Fact]
    public void Cookie_carries_only_the_key_and_stays_small()
    {
        var token = "eyJhbGciOiJSUzI1NiJ9." + new string('a', 2000);
        var ticket = TicketWithKey(SessionKeys.NewKey(), new Claim("name", "Alice"), new Claim("access_token", token));

        var value = Format().Protect(ticket);

        Assert.InRange(value.Length, 100, 200);
        Assert.False(TokenShapes.ContainsJwt(value));
        Assert.Null(Format().Unprotect(value)!.Principal.FindFirst("name"));
    }

    [Fact]
    public void Value_is_cookie_safe_base64url()
    {
        var value = Format().Protect(TicketWithKey(SessionKeys.NewKey()));

        Assert.All(value, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' is not base64url"));
    }

    [Fact]
    public void The_key_is_not_readable_in_the_cookie()
    {
        var key = SessionKeys.NewKey();

        var value = Format().Protect(TicketWithKey(key));
        var bytes = WebEncoders.Base64UrlDecode(value);

        Assert.DoesNotContain(key, value, StringComparison.Ordinal);
        Assert.DoesNotContain(key, Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void A_ticket_without_a_session_key_cannot_become_a_cookie()
    {
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "alice")], Scheme)), Scheme);

        var error = Assert.Throws<InvalidOperationException>(() => Format().Protect(ticket));

        Assert.Contains("session store", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-base64-!!")]
    [InlineData("AAAA")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Garbage_reads_as_no_session(string? value)
    {
        Assert.Null(Format().Unprotect(value));
    }

    [Fact]
    public void A_remembered_cookie_reads_again_and_a_tampered_copy_of_it_still_does_not()
    {
        var key = SessionKeys.NewKey();
        var format = Format();
        var value = format.Protect(TicketWithKey(key));
        Assert.Equal(key, format.Unprotect(value)?.Principal.FindFirstValue(SessionCookieFormat.SessionKeyClaim));

        var bytes = WebEncoders.Base64UrlDecode(value);
        bytes[^5] ^= 0x01;
        Assert.Null(format.Unprotect(WebEncoders.Base64UrlEncode(bytes)));
        Assert.Null(format.Unprotect(value + "A"));
        Assert.Equal(key, format.Unprotect(value)?.Principal.FindFirstValue(SessionCookieFormat.SessionKeyClaim));
    }

    [Fact]
    public void More_cookies_than_it_remembers_all_still_read()
    {
        var format = Format();
        var keys = Enumerable.Range(0, SessionCookieFormat.MaxRemembered + 5).Select(_ => SessionKeys.NewKey()).ToList();
        var values = keys.Select(k => format.Protect(TicketWithKey(k))).ToList();

        for (var i = 0; i < values.Count; i++)
        {
            Assert.Equal(keys[i], format.Unprotect(values[i])?.Principal.FindFirstValue(SessionCookieFormat.SessionKeyClaim));
        }

        Assert.Equal(keys[0], format.Unprotect(values[0])?.Principal.FindFirstValue(SessionCookieFormat.SessionKeyClaim));
    }

    [Fact]
    public void A_tampered_cookie_reads_as_no_session()
    {
        var value = Format().Protect(TicketWithKey(SessionKeys.NewKey()));
        var bytes = WebEncoders.Base64UrlDecode(value);
        bytes[^5] ^= 0x01;

        Assert.Null(Format().Unprotect(WebEncoders.Base64UrlEncode(bytes)));
    }

    [Fact]
    public void A_cookie_from_another_key_ring_reads_as_no_session()
    {
        var value = Format(new EphemeralDataProtectionProvider()).Protect(TicketWithKey(SessionKeys.NewKey()));

        Assert.Null(Format().Unprotect(value));
    }

    [Fact]
    public void Other_protected_payloads_of_the_same_key_ring_are_not_accepted_as_a_cookie()
    {
        // Purpose isolation: e.g. the OIDC state, protected with another purpose, is not a session cookie.
        var other = _keys.CreateProtector("Bff.Oidc.State.v1").Protect(Encoding.ASCII.GetBytes(SessionKeys.NewKey()));

        Assert.Null(Format().Unprotect(WebEncoders.Base64UrlEncode(other)));
    }

    [Fact]
    public void Each_protection_of_the_same_key_differs()
    {
        var ticket = TicketWithKey(SessionKeys.NewKey());

        Assert.NotEqual(Format().Protect(ticket), Format().Protect(ticket));
    }
}
