using Bff.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Bff.Http.Edge;

/// <summary>
/// ASP.NET Core's forwarded-headers middleware, believing <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c>
/// only from <c>Bff:TrustedProxies</c>. The framework trusts loopback by default; here nobody is trusted unless
/// configured, because a header from anyone else is whatever the client wrote. Behind a TLS-terminating proxy
/// this is what makes the request https again, so cookies get <c>Secure</c> and the redirect URI is https.
/// </summary>
internal sealed class ForwardedHeadersSetup(IOptions<BffOptions> bff) : IConfigureOptions<ForwardedHeadersOptions>
{
    /// <summary>Where the framework keeps the host it replaced: present only when a trusted proxy named the host.</summary>
    public const string OriginalHostHeader = "X-Original-Host";

    private static readonly string[] OriginalHeaders = ["X-Original-For", "X-Original-Proto", OriginalHostHeader, "X-Original-Prefix"];

    /// <summary>
    /// Drops the <c>X-Original-*</c> headers a client may send (the framework writes them when it applies a trusted
    /// proxy's headers, so they must mean exactly that), then adds the framework's middleware — only when there
    /// are trusted proxies: with no known proxy at all, it would believe every peer's headers.
    /// </summary>
    public static void Use(IApplicationBuilder app, BffOptions options)
    {
        app.Use((context, next) =>
        {
            foreach (var header in OriginalHeaders)
            {
                context.Request.Headers.Remove(header);
            }

            return next(context);
        });

        if (options.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }
    }

    /// <summary>True when a trusted proxy's <c>X-Forwarded-Host</c> set this request's host.</summary>
    public static bool HostFromTrustedProxy(HttpContext context) => context.Request.Headers.ContainsKey(OriginalHostHeader);

    public void Configure(ForwardedHeadersOptions options)
    {
        // With no known proxy at all the framework's middleware would believe every peer: then it applies nothing,
        // wherever it runs from.
        options.ForwardedHeaders = bff.Value.TrustedProxies.Count > 0
            ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost
            : ForwardedHeaders.None;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        // Read the chain from the right for as long as the hops are trusted proxies.
        options.ForwardLimit = null;
        foreach (var entry in bff.Value.TrustedProxies)
        {
            if (TrustedProxyEntry.TryParse(entry, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
        }
    }
}
