using Microsoft.Extensions.DependencyInjection;

namespace Bff.Configuration;

/// <summary>Returned by <c>AddBff</c>, to chain the optional parts (Redis, remote APIs).</summary>
public sealed class BffBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;
}
