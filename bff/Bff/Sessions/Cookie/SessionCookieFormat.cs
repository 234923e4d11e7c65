using Bff.Sessions.Store;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Bff.Sessions.Cookie;

/// <summary>
/// What the session cookie holds: only the data-protected session key, not a serialized ticket, which
/// keeps the cookie at about 180 bytes. The cookie handler puts the key in a claim of this well-known type.
/// Cookies already decrypted are remembered (exact text → key, bounded), so a busy session does not pay a
/// Data Protection decryption per request; only a cookie that decrypted is remembered, and what it grants is
/// still decided by the store on every request.
/// </summary>
internal sealed class SessionCookieFormat(IDataProtectionProvider dataProtection, string scheme) : ISecureDataFormat<AuthenticationTicket>
{
    internal const string SessionKeyClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";

    /// <summary>How many decrypted cookies are remembered; past it the memory starts over.</summary>
    internal const int MaxRemembered = 10_000;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.Cookie.v1");
    // Cookie text → its ticket (only the key claim), shared by the requests that carry it: nobody changes it, since
    // the cookie handler only reads the key from it and goes on with the store's ticket.
    private readonly BoundedMemory<string, AuthenticationTicket> _tickets = new(MaxRemembered, StringComparer.Ordinal);

    /// <summary>The session key in the request's session cookie; null without one, or when it does not decrypt.</summary>
    private static string? IncomingSessionKey(HttpContext context, CookieAuthenticationOptions options)
    {
        var cookie = options.CookieManager.GetRequestCookie(context, options.Cookie.Name!);
        return string.IsNullOrEmpty(cookie) ? null : options.TicketDataFormat.Unprotect(cookie)?.Principal.FindFirstValue(SessionKeyClaim);
    }

    /// <summary>The storage id of the session the request's cookie names (not checked against the store); null without one.</summary>
    public static string? IncomingStorageId(HttpContext context) =>
        // Read when needed, not injected: the cookie's options need the ticket store, which needs much of the BFF.
        IncomingStorageId(context, context.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(Configuration.BffDefaults.CookieScheme));

    /// <inheritdoc cref="IncomingStorageId(HttpContext)"/>
    public static string? IncomingStorageId(HttpContext context, CookieAuthenticationOptions options) =>
        IncomingSessionKey(context, options) is { } key ? SessionKeys.StorageIdFor(key) : null;

    public string Protect(AuthenticationTicket data) => Protect(data, purpose: null);

    public string Protect(AuthenticationTicket data, string? purpose)
    {
        var key = data.Principal.FindFirst(SessionKeyClaim)?.Value
            ?? throw new InvalidOperationException("The session cookie can only carry a session key; configure a session store.");
        return WebEncoders.Base64UrlEncode(_protector.Protect(Encoding.ASCII.GetBytes(key)));
    }

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (string.IsNullOrEmpty(protectedText))
        {
            return null;
        }

        try
        {
            if (_tickets.TryGet(protectedText, out var ticket))
            {
                return ticket;
            }

            var key = Encoding.ASCII.GetString(_protector.Unprotect(WebEncoders.Base64UrlDecode(protectedText)));
            return _tickets.Remember(protectedText,
                new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(SessionKeyClaim, key)], scheme)), scheme));
        }
        // A key ring that cannot be read (its store is down) is an outage, not a bad cookie.
        catch (Exception ex) when ((ex is CryptographicException or FormatException) && SessionStoreUnavailableException.Find(ex) is null)
        {
            return null;
        }
    }
}
