using Bff.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Primitives;

namespace Bff.Http.Edge;

/// <summary>
/// Over HTTPS (as the browser sees it, so also behind a TLS-terminating proxy) every cookie the BFF sets — the
/// session cookie, and the sign-in's correlation and nonce cookies — goes out as <c>__Host-&lt;name&gt;</c>,
/// <c>Secure</c>, <c>Path=/</c>, no <c>Domain</c>: the browser then accepts it only from this exact origin over
/// HTTPS, so a sibling subdomain or a plain-HTTP response cannot plant or overwrite one. On the way in, only the
/// prefixed copies are believed and the prefix is taken off, so the framework's handlers keep using the plain
/// names. Every other cookie whose name is a BFF cookie's in any letter case (<c>BFF</c>, <c>__HOST-bff</c>) is
/// dropped: the framework reads cookie names case-insensitively, last one winning, so a planted <c>BFF</c> would
/// otherwise stand in for the real session. Plain HTTP (local development) leaves cookies as they are.
/// </summary>
internal sealed class HostPrefixCookies(IOptions<BffOptions> options)
{
    public const string Prefix = "__Host-";

    private static readonly string[] SignInCookiePrefixes = [BffDefaults.CorrelationCookiePrefix, BffDefaults.NonceCookiePrefix];

    private readonly string _sessionCookie = options.Value.CookieName;

    /// <summary>The response half, as ASP.NET Core's cookie policy: renames and secures the BFF's cookies.</summary>
    public CookiePolicyOptions ResponsePolicy() => new()
    {
        OnAppendCookie = context => Secure(context.Context, context.CookieName, name => context.CookieName = name, context.CookieOptions),
        OnDeleteCookie = context => Secure(context.Context, context.CookieName, name => context.CookieName = name, context.CookieOptions),
    };

    /// <summary>The request half: keeps only the prefixed copies of the BFF's cookies, under their plain names.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.IsHttps && context.Request.Headers.Cookie.Count > 0)
        {
            context.Request.Headers.Cookie = Unprefix(context.Request.Headers.Cookie);
        }

        return next(context);
    }

    /// <param name="headers">The request's <c>Cookie</c> header lines: over HTTP/2 a browser may send its cookies as several.</param>
    internal string Unprefix(StringValues headers)
    {
        var kept = new StringBuilder();
        foreach (var header in headers)
        {
            foreach (var pair in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                var name = equals < 0 ? pair : pair[..equals];
                string? keep;
                if (name.StartsWith(Prefix, StringComparison.Ordinal) && IsBffCookie(name[Prefix.Length..], StringComparison.Ordinal))
                {
                    keep = pair[Prefix.Length..];
                }
                else
                {
                    // A bare BFF cookie over HTTPS was not set by this origin over HTTPS, nor was one under another
                    // letter case (the framework would read it as the real one): ignore it.
                    var unprefixed = name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? name[Prefix.Length..] : name;
                    keep = IsBffCookie(unprefixed, StringComparison.OrdinalIgnoreCase) ? null : pair;
                }

                if (keep is not null)
                {
                    kept.Append(kept.Length == 0 ? "" : "; ").Append(keep);
                }
            }
        }

        return kept.ToString();
    }

    internal bool IsBffCookie(string name, StringComparison comparison = StringComparison.Ordinal)
    {
        if (name.StartsWith(_sessionCookie, comparison))
        {
            // The session cookie, or one of its chunks (bffC1, bffC2, …) should it ever be split.
            var rest = name.AsSpan(_sessionCookie.Length);
            if (rest.IsEmpty || (rest[..1].Equals("C", comparison) && rest.Length > 1 && int.TryParse(rest[1..], out _)))
            {
                return true;
            }
        }

        return Array.Exists(SignInCookiePrefixes, prefix => name.StartsWith(prefix, comparison));
    }

    private void Secure(HttpContext context, string name, Action<string> rename, CookieOptions cookie)
    {
        if (!context.Request.IsHttps || name.StartsWith(Prefix, StringComparison.Ordinal) || !IsBffCookie(name))
        {
            return;
        }

        rename(Prefix + name);
        cookie.Secure = true;
        cookie.Path = "/";
        cookie.Domain = null;
    }
}
