namespace Bff.Tests.SecondProvider;

/// <summary>
/// The whole stack against the second provider (OpenIddict, its own process): in-memory sessions, one BFF on a
/// clock the tests move so access tokens fall due without waiting, and no reuse leeway for rotated refresh tokens.
/// </summary>
public class OpenIddictStackFixture : StackFixture
{
    public const int AccessTokenSeconds = 60;

    public ShiftableClock Clock { get; } = new();

    public OpenIddictTestProvider Provider => (OpenIddictTestProvider)Stack.Provider;

    protected override TestStackOptions Options => new()
    {
        AccessTokenLifetimeSeconds = AccessTokenSeconds,
        Clock = Clock,
        Provider = setup => new OpenIddictTestProvider(setup, refreshTokenReuseLeewaySeconds: 0),
    };

    /// <summary>Moves the BFF's clock until the tokens it holds are due (half their lifetime left or less).</summary>
    public void MakeTokensDue() => Clock.Advance(TimeSpan.FromSeconds(AccessTokenSeconds / 2 + 1));
}
