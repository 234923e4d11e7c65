using Bff.Configuration;
using Bff.Http.SecurityHeaders;
using Bff.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Bff.Http.Edge;

/// <summary>
/// What runs before the app's own middleware, static files (the SPA) included, in this order: the forwarded
/// headers of trusted proxies (so the request is https again behind TLS offload), the edge guard (no 5xx or
/// exception text for hostile input), the security headers, and the <c>__Host-</c> cookie rules. Also refuses
/// to start a production app that would serve its session cookie over plain HTTP.
/// </summary>
internal sealed class EdgeStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        CheckTransport(app);
        var cookies = app.ApplicationServices.GetRequiredService<HostPrefixCookies>();
        ForwardedHeadersSetup.Use(app, app.ApplicationServices.GetRequiredService<IOptions<BffOptions>>().Value);
        app.UseMiddleware<EdgeGuardMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.Use(cookies.InvokeAsync);
        app.UseCookiePolicy(cookies.ResponsePolicy());
        next(app);
    };

    /// <summary>
    /// Outside Development, a BFF that listens on plain HTTP with no trusted proxy in front is either exposed
    /// without TLS or behind a proxy it does not know about; either way its cookies would lack <c>Secure</c>.
    /// </summary>
    private static void CheckTransport(IApplicationBuilder app)
    {
        var environment = app.ApplicationServices.GetRequiredService<IHostEnvironment>();
        var options = app.ApplicationServices.GetRequiredService<IOptions<BffOptions>>().Value;
        var addresses = app.ServerFeatures.Get<IServerAddressesFeature>()?.Addresses;
        if (environment.IsDevelopment() || options.TrustedProxies.Count > 0 || addresses is null || addresses.Count == 0 ||
            addresses.Any(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        if (options.AllowPlainHttp)
        {
            var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bff.Http");
            Log.PlainHttpAllowed(logger, environment.EnvironmentName);
            return;
        }

        throw new InvalidOperationException(
            $"The BFF listens only on plain HTTP ({string.Join(", ", addresses)}) in the '{environment.EnvironmentName}' environment, " +
            "so its session cookie would be sent without Secure. Serve HTTPS, or put a TLS-terminating proxy in front and list its " +
            "address in Bff:TrustedProxies, or set Bff:AllowPlainHttp=true for a deliberately unencrypted setup.");
    }
}
