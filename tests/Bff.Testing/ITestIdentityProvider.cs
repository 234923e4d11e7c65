namespace Bff.Testing;

/// <summary>An identity provider a <see cref="TestStack"/> starts as a separate process: what the BFF and the API are pointed at.</summary>
public interface ITestIdentityProvider : IAsyncDisposable
{
    /// <summary>The issuer, as the provider's discovery document names it.</summary>
    string Authority { get; }

    string ClientId { get; }

    string ClientSecret { get; }

    /// <summary>What the process printed, for a failure message.</summary>
    string Output { get; }

    Task StartAsync();
}

/// <summary>What a provider is told when a stack starts it.</summary>
/// <param name="Port">Its free loopback port: the BFFs are given its address before it starts.</param>
/// <param name="BffOrigins">
/// Origins whose redirect, post-logout and back-channel URIs it accepts (the first gets back-channel logouts). Complete
/// when <see cref="ITestIdentityProvider.StartAsync"/> is called, not before: the BFFs take their ports when they start.
/// </param>
/// <param name="AccessTokenLifetimeSeconds">Access-token lifetime.</param>
public sealed record TestProviderSetup(int Port, IReadOnlyList<string> BffOrigins, int AccessTokenLifetimeSeconds);
