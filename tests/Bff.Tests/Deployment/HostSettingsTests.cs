using Bff.Host;
using Bff.Redis;
using Bff.Sessions.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Deployment;

/// <summary>Settings the host would otherwise ignore: where Redis comes from, lists written as one value.</summary>
public sealed class HostSettingsTests
{
    [Fact]
    public async Task Bff_Redis_ConnectionString_selects_Redis_as_ConnectionStrings_Redis_does()
    {
        await using var app = BffHostApp.Create([.. StandaloneBff.OverPlainHttp, "--Bff:Redis:ConnectionString=127.0.0.1:1"]);

        Assert.IsType<RedisSessionStore>(app.Services.GetRequiredService<ISessionStore>());
        Assert.Equal("127.0.0.1:1", app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisOptions>>().Value.ConnectionString);
    }

    [Theory]
    [InlineData("--Bff:Redis:KeyPrefix=shop:")]
    [InlineData("--Bff:DataProtection:Certificate:Thumbprint=ABCDEF")]
    public void Redis_settings_without_a_Redis_connection_are_refused(string setting)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => BffHostApp.Create([.. StandaloneBff.OverPlainHttp, setting]));

        Assert.Contains("ConnectionStrings:Redis", refused.Message);
    }

    [Fact]
    public async Task Without_Redis_settings_sessions_stay_in_memory()
    {
        await using var app = BffHostApp.Create(StandaloneBff.OverPlainHttp);

        Assert.IsType<InMemorySessionStore>(app.Services.GetRequiredService<ISessionStore>());
    }

    // The host's appsettings.json lists the scopes item by item; an environment variable written as one value used to
    // lose to it without a word.
    [Fact]
    public async Task A_list_written_as_one_value_replaces_the_hosts_own_list()
    {
        await using var app = BffHostApp.Create([.. StandaloneBff.OverPlainHttp, "--Bff:Scopes=openid api"]);

        Assert.Equal(["openid", "api"], app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Bff.Configuration.BffOptions>>().Value.Scopes);
    }
}
