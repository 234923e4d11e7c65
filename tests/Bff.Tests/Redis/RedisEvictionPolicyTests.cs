using Bff.Host;
using Bff.Redis;
using Bff.Tests.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>
/// A Redis that may evict (a maxmemory with any policy but noeviction, as managed services often set) is reported:
/// a warning once the host has started, and a degraded (still ready) Redis health check. Each test has a redis-server of
/// its own, since it changes the server's configuration.
/// </summary>
public sealed class RedisEvictionPolicyTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly RecordingLoggerProvider _logs = new();
    private RedisServer _server = null!;
    private ConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        _logs.Dispose();
    }

    private async Task ConfigureAsync(string maxMemory, string policy)
    {
        var server = _admin.GetServer(_admin.GetEndPoints()[0]);
        await server.ConfigSetAsync("maxmemory", maxMemory);
        await server.ConfigSetAsync("maxmemory-policy", policy);
    }

    private (RedisConnection Connection, RedisEvictionPolicy Policy, RedisHealthCheck Health) Create(string? connectionString = null)
    {
        var factory = LoggerFactory.Create(b => b.AddProvider(_logs));
        var connection = RedisFixture.Connect(connectionString ?? _server.ConnectionString, RedisFixture.NewPrefix());
        var policy = new RedisEvictionPolicy(connection, _time, factory.CreateLogger<RedisEvictionPolicy>());
        return (connection, policy, new RedisHealthCheck(connection, policy));
    }

    private int Warnings => _logs.Entries.Count(e => e.EventId == 6013);

    private static async Task<HealthCheckResult> CheckAsync(RedisHealthCheck health) =>
        await health.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration(RedisHealthCheck.Name, health, HealthStatus.Unhealthy, null),
        });

    [Theory]
    [InlineData("0", "allkeys-lru")]
    [InlineData("100mb", "noeviction")]
    public async Task A_redis_that_never_evicts_is_healthy_and_not_warned_about(string maxMemory, string policy)
    {
        await ConfigureAsync(maxMemory, policy);
        var (connection, evictionPolicy, health) = Create();
        using var _ = connection;

        await evictionPolicy.StartedAsync(CancellationToken.None);

        Assert.Empty(await evictionPolicy.EvictingAsync(CancellationToken.None));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);
        Assert.Equal(0, Warnings);
    }

    [Theory]
    [InlineData("volatile-lru")]
    [InlineData("allkeys-lfu")]
    [InlineData("volatile-ttl")]
    public async Task An_evicting_redis_is_warned_about_at_start_and_degrades_the_health_check(string policy)
    {
        await ConfigureAsync("100mb", policy);
        var (connection, evictionPolicy, health) = Create();
        using var _ = connection;

        await evictionPolicy.StartedAsync(CancellationToken.None);

        var warning = Assert.Single(_logs.Entries, e => e.EventId == 6013);
        Assert.Contains($"{_server.ConnectionString} ({policy})", warning.Message);
        var result = await CheckAsync(health);
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains(policy, result.Description);
        Assert.Contains("noeviction", result.Description);
    }

    // Read at most once a minute, and each new finding warned about once: the health check runs every few seconds.
    [Fact]
    public async Task The_policy_is_read_again_after_a_minute_and_each_change_is_warned_about_once()
    {
        await ConfigureAsync("100mb", "volatile-lru");
        var (connection, evictionPolicy, health) = Create();
        using var _ = connection;
        await evictionPolicy.StartedAsync(CancellationToken.None);

        // Fixed within the minute: still the reading from the start.
        await ConfigureAsync("100mb", "noeviction");
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(health)).Status);

        _time.Advance(RedisEvictionPolicy.ReadEvery);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);

        // The same policy back after a fix is warned about again, and then only once.
        await ConfigureAsync("100mb", "volatile-lru");
        _time.Advance(RedisEvictionPolicy.ReadEvery);
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(health)).Status);
        _time.Advance(RedisEvictionPolicy.ReadEvery);
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(health)).Status);

        Assert.Equal(2, Warnings);
        Assert.All(_logs.Entries.Where(e => e.EventId == 6013), e => Assert.Contains("volatile-lru", e.Message));
    }

    // As an operator meets it: the BFF starts, warns, and stays ready, with the Redis check degraded in the details.
    [Fact]
    public async Task A_bff_on_an_evicting_redis_warns_at_start_and_stays_ready_with_redis_degraded()
    {
        await ConfigureAsync("100mb", "volatile-lru");
        await using var app = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            .. StandaloneBff.OverPlainHttp,
            $"--Bff:Redis:ConnectionString={_server.ConnectionString}",
            "--Bff:Health:ShowDetails=true",
            "--Logging:LogLevel:Bff=Warning",
        ], builder => builder.Logging.AddProvider(_logs));
        await app.StartAsync();
        try
        {
            Assert.Contains("volatile-lru", Assert.Single(_logs.Entries, e => e.EventId == 6013).Message);
            using var http = new HttpClient();
            // (The provider's check fails, as none listens here: readiness as a whole is not this test's.)
            using var ready = await http.GetAsync(app.Urls.Single() + "/health/ready");
            Assert.Contains("\"redis\":\"Degraded\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    // A managed Redis may deny INFO to the application's user: then the policy is not judged, and nothing fails.
    [Fact]
    public async Task A_user_that_may_not_read_info_is_not_judged()
    {
        await ConfigureAsync("100mb", "volatile-lru");
        await _admin.GetServer(_admin.GetEndPoints()[0]).ExecuteAsync("ACL", "SETUSER", "app", "on", ">app-secret", "~*", "+@all", "-info");
        var (connection, evictionPolicy, health) = Create(_server.ConnectionString + ",user=app,password=app-secret");
        using var _ = connection;

        await evictionPolicy.StartedAsync(CancellationToken.None);

        Assert.Empty(await evictionPolicy.EvictingAsync(CancellationToken.None));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);
        Assert.Equal(0, Warnings);
    }
}
