using Bff.Configuration;
using Bff.Distributed;
using Bff.Endpoints;
using Bff.Health;
using Bff.Http;
using Bff.Oidc;
using Bff.RateLimiting;
using Bff.Sessions;
using Bff.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the backend-for-frontend.</summary>
public static class BffServiceCollectionExtensions
{
    /// <summary>Adds the BFF with settings from a configuration section (usually <c>Bff</c>).</summary>
    public static BffBuilder AddBff(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBff(options =>
        {
            configuration.Bind(options);
            ReadListWrittenAsOneValue(configuration, nameof(BffOptions.Scopes), options.Scopes);
            ReadListWrittenAsOneValue(configuration, nameof(BffOptions.TrustedProxies), options.TrustedProxies);
        });

    // The binder ignores a list written as one value (Bff__Scopes="openid profile api", Bff__TrustedProxies=10.0.0.0/8:
    // the form environment variables invite) and keeps an appsettings.json list, or the defaults, without a word. A
    // value written that way is meant to be the list: it replaces any other, split on spaces and commas.
    private static void ReadListWrittenAsOneValue(IConfiguration configuration, string key, List<string> list)
    {
        if (configuration[key] is { Length: > 0 } value)
        {
            list.Clear();
            list.AddRange(value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
    }

    /// <summary>Adds the BFF: OpenID Connect sign-in, the server-side session cookie and the management endpoints' services.</summary>
    public static BffBuilder AddBff(this IServiceCollection services, Action<BffOptions> configure)
    {
        // The settings model, and what every part shares.
        services.AddOptions<BffOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BffOptions>, BffOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddMetrics();
        services.AddAuthorization();

        // The parts, in the order a request meets them.
        services.AddBffHttp();
        services.AddBffRateLimiting();
        services.AddBffDistributed();
        services.AddBffOidc();
        services.AddBffSessions();
        services.AddBffTokens();
        services.AddBffEndpoints();
        services.AddBffHealth();

        return new BffBuilder(services);
    }
}
