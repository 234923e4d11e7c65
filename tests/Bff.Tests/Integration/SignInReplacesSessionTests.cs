
namespace Bff.Tests.Integration;

/// <summary>Session fixation and re-login with in-memory sessions (see <see cref="SignInReplacementScenarios"/>).</summary>
public sealed class SignInReplacesSessionTests(StackFixture fixture) : IClassFixture<StackFixture>
{
    private TestStack Stack => fixture.Stack;

    [Fact]
    public Task A_planted_session_cookie_does_not_survive_the_victims_sign_in() =>
        SignInReplacementScenarios.PlantedCookieDoesNotSurviveTheVictimsSignIn(Stack, "fixation-mallory", "fixation-alice");

    [Fact]
    public Task Signing_in_again_replaces_the_live_session() =>
        SignInReplacementScenarios.ReLoginReplacesTheLiveSession(Stack, "relogin-dora");

    [Fact]
    public Task Signing_in_again_replaces_the_live_session_when_the_callback_comes_without_the_cookie() =>
        SignInReplacementScenarios.ReLoginWithoutTheCookieOnTheCallbackReplacesTheLiveSession(Stack, "relogin-crosssite-erin");
}
