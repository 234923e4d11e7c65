using Bff.Tests.Sessions;

namespace Bff.Tests.Endpoints;

/// <summary>Which sessions a logout token's <c>sub</c>/<c>sid</c> reach.</summary>
public sealed class BackChannelLogoutTargetsTests : IDisposable
{
    private readonly SessionHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_token_with_sub_and_sid_also_reaches_the_users_sessions_recorded_without_a_sid()
    {
        var (_, withSid) = await _harness.SignInAsync("alice", "sid-1");
        var (_, otherSid) = await _harness.SignInAsync("alice", "sid-2");
        var (_, noSid) = await _harness.SignInAsync("alice", sid: null);
        var (_, bobNoSid) = await _harness.SignInAsync("bob", sid: null);

        var targets = await BackChannelLogoutEndpoint.MatchingSessionsAsync(_harness.Store, "alice", "sid-1", default);

        Assert.Equal(new[] { withSid.Id, noSid.Id }.Order(), targets.Select(s => s.Id).Order());
        Assert.DoesNotContain(targets, s => s.Id == otherSid.Id || s.Id == bobNoSid.Id);
    }

    [Fact]
    public async Task A_token_with_sid_alone_reaches_that_provider_session_only()
    {
        var (_, withSid) = await _harness.SignInAsync("alice", "sid-1");
        await _harness.SignInAsync("alice", sid: null);

        var targets = await BackChannelLogoutEndpoint.MatchingSessionsAsync(_harness.Store, null, "sid-1", default);

        Assert.Equal(withSid.Id, Assert.Single(targets).Id);
    }

    [Fact]
    public async Task A_token_with_sub_alone_reaches_every_session_of_the_user()
    {
        await _harness.SignInAsync("alice", "sid-1");
        await _harness.SignInAsync("alice", sid: null);
        await _harness.SignInAsync("bob", "sid-9");

        var targets = await BackChannelLogoutEndpoint.MatchingSessionsAsync(_harness.Store, "alice", null, default);

        Assert.Equal(2, targets.Count);
        Assert.All(targets, s => Assert.Equal("alice", s.Subject));
    }
}
