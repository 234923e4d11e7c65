using Microsoft.Extensions.Logging;

namespace Bff.Tests.Redis;

public sealed class RedisConfigurationTests
{
    [Fact]
    public void Never_aborts_on_a_failed_connect_and_fails_fast_by_default()
    {
        var configuration = RedisConfiguration.Parse("localhost:6379,abortConnect=true");

        Assert.False(configuration.AbortOnConnectFail);
        Assert.Equal(RedisConfiguration.DefaultConnectTimeoutMs, configuration.ConnectTimeout);
        Assert.Equal(RedisConfiguration.DefaultSyncTimeoutMs, configuration.SyncTimeout);
        Assert.Equal("", configuration.TieBreaker);
    }

    [Fact]
    public void Timeouts_in_the_connection_string_win()
    {
        var configuration = RedisConfiguration.Parse("localhost:6379,connectTimeout=7000,syncTimeout=900,password=secret,ssl=true");

        Assert.Equal(7000, configuration.ConnectTimeout);
        Assert.Equal(900, configuration.SyncTimeout);
        Assert.Equal("secret", configuration.Password);
        Assert.True(configuration.Ssl);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("password=only", false)]
    [InlineData("localhost:6379", true)]
    [InlineData("10.0.0.5:6380,password=x,ssl=true", true)]
    [InlineData("r1:7000,r2:7001,r3:7002,user=bff,password=x", true)]
    [InlineData("sentinel1:26379,sentinel2:26379,serviceName=primary,password=x", true)]
    [InlineData("localhost:6379,protocol=resp2", true)]
    [InlineData("localhost:6379,protocol=resp9,password=only", false)]
    // URL forms are another client's format: this one reads them as a host that never connects (the password in it).
    [InlineData("rediss://default:only@127.0.0.1:6390", false)]
    [InlineData("redis://127.0.0.1:6379/0", false)]
    [InlineData("redis://:only@redis.internal", false)]
    public void Validator_accepts_only_strings_with_an_endpoint(string connectionString, bool valid)
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions { ConnectionString = connectionString });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.DoesNotContain("only", result.FailureMessage);
        }
    }

    [Theory]
    [InlineData("", "bff")]
    [InlineData("has space:", "bff")]
    [InlineData("{tag}:", "bff")]
    [InlineData("bff:", " ")]
    public void Validator_refuses_bad_prefix_or_application_name(string prefix, string applicationName)
    {
        var result = new RedisOptionsValidator().Validate(null,
            new RedisOptions { ConnectionString = "localhost:6379", KeyPrefix = prefix, ApplicationName = applicationName });

        Assert.False(result.Succeeded);
    }

    // Two applications on one Redis with one prefix see each other's sessions; a single one renamed long ago would lose
    // every session to a new prefix, so this is a warning at start, not a refusal.
    [Theory]
    [InlineData("shop-bff", "bff:", true)]
    [InlineData("shop-bff", "shop-bff:", false)]
    [InlineData("bff", "bff:", false)]
    public void A_renamed_application_on_the_default_prefix_is_warned_about(string applicationName, string prefix, bool warned)
    {
        using var logs = new Bff.Tests.Diagnostics.RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var connection = new RedisConnection(
            Microsoft.Extensions.Options.Options.Create(new RedisOptions { ConnectionString = "localhost:6379", ApplicationName = applicationName, KeyPrefix = prefix }),
            factory.CreateLogger<RedisConnection>());

        Assert.Equal(warned, logs.Entries.Any(e => e.EventId == 6012 && e.Message.Contains("'shop-bff'", StringComparison.Ordinal)));
    }

    [Fact]
    public void Acl_user_tls_and_several_endpoints_are_read_as_written()
    {
        var configuration = RedisConfiguration.Parse("r1.internal:7000,r2.internal:7001,user=bff,password=secret,ssl=true,sslHost=redis.internal");

        Assert.Equal(2, configuration.EndPoints.Count);
        Assert.Equal("bff", configuration.User);
        Assert.Equal("secret", configuration.Password);
        Assert.True(configuration.Ssl);
        Assert.Equal("redis.internal", configuration.SslHost);
    }
}

public sealed class RedisConnectionSettingsTests
{
    [Fact]
    public async Task The_key_ring_runs_on_the_same_connection_as_every_other_command()
    {
        await using var server = await RedisServer.StartAsync();
        using var connection = new RedisConnection(
            Microsoft.Extensions.Options.Options.Create(new RedisOptions { ConnectionString = server.ConnectionString }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisConnection>.Instance);
        await connection.StartAsync();

        var commands = await connection.RunAsync("test", db => Task.FromResult(db.Multiplexer), CancellationToken.None);
        var keyRing = connection.Database();

        Assert.Same(commands, keyRing.Multiplexer);
        keyRing.ListRightPush("key-ring-test", "written by the key ring");
        Assert.Equal("written by the key ring", (string?)await connection.RunAsync("test", db => db.ListGetByIndexAsync("key-ring-test", 0), CancellationToken.None));
    }
}
