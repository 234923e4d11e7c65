using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Bff.Sessions;

/// <summary>
/// Names the session cookie <c>__Host-&lt;name&gt;</c> on HTTPS requests, so the browser pins it to this
/// exact origin (Secure, Path=/, no Domain); plain HTTP (local development) keeps the bare name.
/// </summary>
internal sealed class SessionCookieManager : ICookieManager
{
    private const string HostPrefix = "__Host-";
    private readonly ChunkingCookieManager _inner = new();

    public string? GetRequestCookie(HttpContext context, string key) =>
        _inner.GetRequestCookie(context, NameFor(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        _inner.AppendResponseCookie(context, NameFor(context, key), value, options);

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) =>
        _inner.DeleteCookie(context, NameFor(context, key), options);

    public static string NameFor(HttpContext context, string name) =>
        context.Request.IsHttps ? HostPrefix + name : name;
}
