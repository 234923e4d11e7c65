using Bff.Http.Edge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Bff.Http;

/// <summary>Registers the edge: client address, host-prefix cookies, forwarded headers, the start-up filter and the plain-HTTP check.</summary>
internal static class HttpServices
{
    public static IServiceCollection AddBffHttp(this IServiceCollection services)
    {
        services.TryAddSingleton<ClientAddressResolver>();
        services.TryAddSingleton<HostPrefixCookies>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>());
        // Forwarded headers, the edge guard, security headers and cookie rules wrap the whole pipeline, static files (the SPA's HTML) included.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, EdgeStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PlainHttpCheck>());
        return services;
    }
}
