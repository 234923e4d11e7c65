namespace Bff.Proxy;

/// <summary>Registers YARP with the BFF's transforms and routes from configuration.</summary>
internal static class ProxyServices
{
    public static IServiceCollection AddBffProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddReverseProxy()
            .LoadFromConfig(configuration)
            .AddTransforms<BffTransformProvider>();
        return services;
    }
}
