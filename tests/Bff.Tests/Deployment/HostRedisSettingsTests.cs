using Bff.Host;
using Bff.Redis;
using Bff.Sessions.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Deployment;

/// <summary>Where the host takes its Redis connection from, and Redis settings it would otherwise ignore.</summary>
public sealed class HostRedisSettingsTests
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
}
