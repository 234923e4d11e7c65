using Microsoft.Extensions.Logging.Abstractions;

namespace Bff.Tests.Tokens;

/// <summary>
/// Expired sessions' refresh tokens are revoked in the background, so ending sessions never waits for the provider:
/// a slow one would otherwise hold the sweeper to a few sessions a second.
/// </summary>
public sealed class RefreshTokenRevokerTests
{
    [Fact]
    public async Task Thousands_of_expired_sessions_end_without_waiting_for_the_provider_and_all_are_revoked_later()
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.RevocationGate = new TaskCompletionSource();
        var expired = new List<SessionRecord>();
        for (var i = 0; i < 3_000; i++)
        {
            expired.Add(await kit.SignInAsync(TimeSpan.FromMinutes(5), refreshToken: "rt-expired-" + i));
        }

        var signedOut = await kit.SignInAsync(TimeSpan.FromMinutes(5), refreshToken: "rt-signed-out");

        // The provider does not answer: each expired session's end is done at once all the same.
        foreach (var (session, i) in expired.Select((s, i) => (s, i)))
        {
            var reason = i % 2 == 0 ? SessionEndReason.IdleTimeout : SessionEndReason.AbsoluteLifetime;
            Assert.True(kit.Revoker.OnSessionEndedAsync(session, reason, CancellationToken.None).IsCompletedSuccessfully);
        }

        Assert.Equal(3_000, kit.Revoker.Pending);
        // A sign-out still waits for its revocation (within the revoker's time limit).
        var signOut = kit.Revoker.OnSessionEndedAsync(signedOut, SessionEndReason.SignOut, CancellationToken.None);
        Assert.False(signOut.IsCompleted);

        await kit.Revoker.StartAsync(CancellationToken.None);
        kit.Endpoint.RevocationGate.SetResult();
        await signOut;
        var (revoked, _) = await Polling.UntilAsync(() => Task.FromResult(kit.Endpoint.Revoked.Count), count => count == 3_001, TimeSpan.FromSeconds(30));
        await kit.Revoker.StopAsync(CancellationToken.None);

        Assert.Equal(3_001, revoked);
        Assert.Equal(expired.Select((_, i) => "rt-expired-" + i).Append("rt-signed-out").Order(), kit.Endpoint.Revoked.Order());
        Assert.Equal(0, kit.Revoker.Pending);
    }

    [Fact]
    public async Task Beyond_the_queue_an_expired_sessions_revocation_is_skipped_not_waited_for()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInAsync(TimeSpan.FromMinutes(5));
        for (var i = 0; i < RefreshTokenRevoker.QueueCapacity + 5; i++)
        {
            Assert.True(kit.Revoker.OnSessionEndedAsync(session, SessionEndReason.IdleTimeout, CancellationToken.None).IsCompletedSuccessfully);
        }

        Assert.Equal(RefreshTokenRevoker.QueueCapacity, kit.Revoker.Pending);
    }

    // Each end used to wait for its revocation (up to 5 s): with a slow provider, sign out everywhere or a
    // back-channel logout left the later of a user's sessions alive, one more every few seconds.
    [Theory]
    [InlineData(SessionEndReason.SignOutEverywhere)]
    [InlineData(SessionEndReason.BackChannel)]
    [InlineData(SessionEndReason.EndedFromOtherSession)]
    public async Task Ending_all_of_a_users_sessions_does_not_wait_for_a_provider_that_does_not_answer(SessionEndReason reason)
    {
        using var kit = new TokenTestKit();
        kit.Endpoint.RevocationGate = new TaskCompletionSource();
        var sessions = new List<SessionRecord>();
        for (var i = 0; i < 500; i++)
        {
            sessions.Add(await kit.SignInAsync(TimeSpan.FromMinutes(5), refreshToken: "rt-" + i));
        }

        var terminator = new SessionTerminator(kit.Store, [kit.Revoker], NullLogger<SessionTerminator>.Instance);
        var ended = await terminator.EndEachAsync(sessions, reason).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(500, ended);
        Assert.Empty(await kit.Store.GetBySubjectAsync("alice", CancellationToken.None));
        Assert.Equal(500, kit.Revoker.Pending);

        await kit.Revoker.StartAsync(CancellationToken.None);
        kit.Endpoint.RevocationGate.SetResult();
        var (revoked, _) = await Polling.UntilAsync(() => Task.FromResult(kit.Endpoint.Revoked.Count), count => count == 500, TimeSpan.FromSeconds(30));
        await kit.Revoker.StopAsync(CancellationToken.None);
        Assert.Equal(sessions.Select((_, i) => "rt-" + i).Order(), kit.Endpoint.Revoked.Order());
    }
}
