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
/// plain-HTTP requests to the server's HTTPS listener (<see cref="PlainHttpRedirect"/>), and the <c>__Host-</c> cookie
/// rules. Refuses to build a pipeline in which the framework applies forwarded headers itself
/// (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>): it would run before the BFF could drop the <c>X-Original-*</c>
/// headers a client sends, and a second pass would lose what the first recorded.
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
        UsePlainHttpRedirect(app);
        app.Use(cookies.InvokeAsync);
        app.UseCookiePolicy(cookies.ResponsePolicy());
        next(app);
    };

    private static void UsePlainHttpRedirect(IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<BffOptions>>().Value;
        if (!app.ApplicationServices.GetRequiredService<IHostEnvironment>().IsDevelopment() && !options.AllowPlainHttp)
        {
            app.UseMiddleware<PlainHttpRedirect>(app.ServerFeatures.Get<IServerAddressesFeature>());
        }
    }

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
