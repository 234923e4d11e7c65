using System.Net;
using Bff.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>
/// The hosted sweeper in a real BFF on Redis, with the real provider: an abandoned session is ended by the sweep
/// alone (its owner never comes back), its refresh token is revoked and its end recorded. The BFF's clock is fake,
/// so the idle limit passes without waiting.
/// </summary>
public sealed class RedisSweeperRevocationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private RedisServer _redis = null!;
    private TestStack _stack = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _stack = await TestStack.StartAsync(new TestStackOptions
        {
            Redis = _redis.ConnectionString,
            ConfigureBff = builder => builder.Services.AddSingleton<TimeProvider>(_clock),
        });
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task An_abandoned_session_is_ended_by_the_sweep_with_its_refresh_token_revoked_and_its_keys_gone()
    {
        using var browser = _stack.NewBrowser();
        await browser.SignInAsync("abandoned");
        var refreshToken = await TokenRefreshTests.StoredRefreshTokenAsync(_stack, "abandoned");
        using var inspector = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = inspector.GetDatabase();
        var storageId = (string)(await db.SortedSetRangeByRankAsync("bff:sub:{abandoned}")).Single()!;
        var keys = new RedisKeys("bff:");

        // The idle limit (15 min) passes; the next sweeper tick ends the session.
        _clock.Advance(TimeSpan.FromMinutes(15) + RedisSessionSweeper.Interval);

        var (ended, _) = await Polling.UntilAsync(async () =>
            (await _stack.BffServices().GetRequiredService<IAuditTrail>().GetRecentAsync("abandoned", CancellationToken.None))
                .Any(e => e.Kind == AuditEventKinds.Ended && e.Reason == "IdleTimeout"),
            done => done, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        Assert.True(ended, "the sweep did not end the abandoned session");

        // Expired sessions' tokens are revoked in the background, just after their end is recorded.
        var revoker = _stack.BffServices().GetRequiredService<RefreshTokenRevoker>();
        await Polling.UntilAsync(() => Task.FromResult(revoker.Pending), pending => pending == 0, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        var (status, body) = await _stack.Idp.RefreshAsync(refreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.False(await db.KeyExistsAsync(keys.Session(storageId)));
        Assert.False(await db.KeyExistsAsync(keys.Subject("abandoned")));
        Assert.Null(await db.SortedSetScoreAsync(keys.ExpiryBucketOf(storageId), storageId));
        Assert.Equal("IdleTimeout", (string?)await db.StringGetAsync(keys.EndedSession(storageId)));
    }
}
