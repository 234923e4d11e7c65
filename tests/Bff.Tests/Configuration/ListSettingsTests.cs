using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Configuration;

/// <summary>
/// List settings written as one value, the way environment variables invite (<c>Bff__Scopes="openid profile api"</c>),
/// used to be ignored by the configuration binder without a word.
/// </summary>
public sealed class ListSettingsTests
{
    private static BffOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBff(configuration.GetSection("Bff"));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<BffOptions>>().Value;
    }

    [Fact]
    public void A_list_written_as_one_value_is_read_as_the_list_it_means()
    {
        var options = Bind(new()
        {
            ["Bff:Authority"] = "https://login.example.com",
            ["Bff:ClientId"] = "bff",
            ["Bff:ClientSecret"] = "secret",
            ["Bff:Scopes"] = "openid profile  api offline_access",
            ["Bff:TrustedProxies"] = "10.0.0.0/8, 192.168.1.5",
        });

        Assert.Equal(["openid", "profile", "api", "offline_access"], options.Scopes);
        Assert.Equal(["10.0.0.0/8", "192.168.1.5"], options.TrustedProxies);
    }

    [Fact]
    public void A_list_written_item_by_item_is_read_as_before()
    {
        var options = Bind(new()
        {
            ["Bff:Authority"] = "https://login.example.com",
            ["Bff:ClientId"] = "bff",
            ["Bff:ClientSecret"] = "secret",
            ["Bff:Scopes:0"] = "openid",
            ["Bff:Scopes:1"] = "api",
            ["Bff:TrustedProxies:0"] = "10.0.0.0/8",
        });

        Assert.Equal(["openid", "api"], options.Scopes);
        Assert.Equal(["10.0.0.0/8"], options.TrustedProxies);
    }
}
