using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Redis;

public sealed class RedisBffBuilderExtensionsTests
{
    private static ServiceProvider Build(Action<RedisOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBff(options =>
        {
            options.Authority = "https://login.example.com";
            options.ClientId = "bff";
            options.ClientSecret = "secret";
        }).AddRedis(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Replaces_the_in_memory_stores_and_shares_the_key_ring_under_one_application_name()
    {
        using var provider = Build(options =>
        {
            options.ConnectionString = "127.0.0.1:1";
            options.KeyPrefix = "shop:";
            options.ApplicationName = "shop";
        });

        Assert.IsType<RedisSessionStore>(provider.GetRequiredService<ISessionStore>());
        Assert.IsType<RedisDistributedLock>(provider.GetRequiredService<IDistributedLock>());
        Assert.Equal("shop", provider.GetRequiredService<IOptions<DataProtectionOptions>>().Value.ApplicationDiscriminator);
        var repository = Assert.IsType<KeyRingWriteGuard>(provider.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository);
        Assert.IsType<Microsoft.AspNetCore.DataProtection.StackExchangeRedis.RedisXmlRepository>(repository.Inner);
        Assert.Equal("shop:", provider.GetRequiredService<RedisConnection>().Keys.Prefix);

        var checks = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var redis = Assert.Single(checks, c => c.Name == RedisHealthCheck.Name);
        Assert.Contains(BffDefaults.HealthReadyTag, redis.Tags);
    }

    [Fact]
    public void A_bad_setup_fails_at_start_with_every_problem_named()
    {
        using var provider = Build(options =>
        {
            options.ConnectionString = "";
            options.KeyPrefix = "";
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("ConnectionStrings:Redis"));
        Assert.Contains(error.Failures, f => f.Contains("KeyPrefix"));
    }
}
