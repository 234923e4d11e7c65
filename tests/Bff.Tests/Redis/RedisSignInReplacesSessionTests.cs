using Bff.Tests.Integration;

namespace Bff.Tests.Redis;

/// <summary>Session fixation and re-login with two BFF instances on Redis (see <see cref="SignInReplacementScenarios"/>).</summary>
public sealed class RedisSignInReplacesSessionTests(RedisStackFixture fixture) : IClassFixture<RedisStackFixture>
{
    [Fact]
    public Task A_planted_session_cookie_does_not_survive_the_victims_sign_in_on_another_instance() =>
        SignInReplacementScenarios.PlantedCookieDoesNotSurviveTheVictimsSignIn(fixture.Stack, "redis-mallory", "redis-alice", victimInstance: 1);

    [Fact]
    public Task Signing_in_again_on_another_instance_replaces_the_live_session() =>
        SignInReplacementScenarios.ReLoginReplacesTheLiveSession(fixture.Stack, "redis-dora", secondInstance: 1);
}
