using Bff.Configuration;
using Bff.Http.SecurityHeaders;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Bff.Http.Edge;

/// <summary>
/// What runs before the app's own middleware, static files (the SPA) included, in this order: the forwarded
/// headers of trusted proxies (so the request is https again behind TLS offload), the security headers (on every
/// answer, the edge guard's too), the edge guard (no 5xx or exception text for hostile input), the redirect of
/// plain-HTTP requests to the server's HTTPS listener, and the <c>__Host-</c> cookie rules. Refuses to build a pipeline in which the framework applies forwarded headers
/// itself (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>): it would run before the BFF could drop the
/// <c>X-Original-*</c> headers a client sends, and a second pass would lose what the first recorded.
/// </summary>
internal sealed class EdgeStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        RefuseFrameworkForwardedHeaders(app.ApplicationServices.GetRequiredService<IConfiguration>());
        var cookies = app.ApplicationServices.GetRequiredService<HostPrefixCookies>();
        ForwardedHeadersSetup.Use(app, app.ApplicationServices.GetRequiredService<IOptions<BffOptions>>().Value);
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<EdgeGuardMiddleware>();
        UseHttpsRedirection(app);
        app.Use(cookies.InvokeAsync);
        app.UseCookiePolicy(cookies.ResponsePolicy());
        next(app);
    };

    // A server listening on HTTPS and plain HTTP (PlainHttpCheck lets it start) would sign users in over the plain
    // one with a cookie without Secure. Outside Development, unless plain HTTP is allowed, the framework's HTTPS
    // redirection sends such requests to the HTTPS listener. Only where the server has one: behind a TLS-terminating
    // proxy the forwarded headers make requests https, and the middleware would only warn that it found no port.
    // Health probes, which platforms send to a plain port, are answered where they arrive.
    private static void UseHttpsRedirection(IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<BffOptions>>().Value;
        if (app.ApplicationServices.GetRequiredService<IHostEnvironment>().IsDevelopment() || options.AllowPlainHttp)
        {
            return;
        }

        // Known once the server has bound (Kestrel:Endpoints and addresses set in code come later than the pipeline).
        var addresses = app.ServerFeatures.Get<IServerAddressesFeature>()?.Addresses;
        var servesHttps = new Lazy<bool>(() => addresses?.Any(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)) == true);
        app.UseWhen(
            context => !context.Request.IsHttps && servesHttps.Value && !IsHealthProbe(context.Request.Path),
            branch => branch.UseHttpsRedirection());
    }

    // The two paths exactly: anything below them would reach the app's own endpoints or the SPA's fallback.
    private static bool IsHealthProbe(PathString path) =>
        path.Equals(BffDefaults.HealthLivePath, StringComparison.OrdinalIgnoreCase) ||
        path.Equals(BffDefaults.HealthReadyPath, StringComparison.OrdinalIgnoreCase);

    private static void RefuseFrameworkForwardedHeaders(IConfiguration configuration)
    {
        if (bool.TryParse(configuration["FORWARDEDHEADERS_ENABLED"], out var enabled) && enabled)
        {
            throw new InvalidOperationException(
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED is set: the BFF applies forwarded headers itself, from the proxies listed in " +
                "Bff:TrustedProxies only. Remove the variable and list the TLS-terminating proxy's address in Bff:TrustedProxies.");
        }
    }
}
