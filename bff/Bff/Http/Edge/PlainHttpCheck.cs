using Bff.Configuration;
using Bff.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Bff.Http.Edge;

/// <summary>
/// Outside Development, a BFF that listens on plain HTTP with no trusted proxy in front is either exposed without
/// TLS or behind a proxy it does not know about; either way its cookies would lack <c>Secure</c>, so it stops.
/// Checked once the server has bound: only then are the addresses from <c>Kestrel:Endpoints</c>, from code and
/// the default <c>localhost:5000</c> known, not just <c>--urls</c>. The host then stops at once (a request may have
/// been accepted in that instant; no session can have been created in it).
/// </summary>
internal sealed class PlainHttpCheck(IServiceProvider services, IOptions<BffOptions> options, ILogger<PlainHttpCheck> logger)
    : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // A host without a server (a worker, a test host) has no addresses to check.
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var environment = services.GetService<IHostEnvironment>();
        if (environment is null || environment.IsDevelopment() || options.Value.TrustedProxies.Count > 0 || addresses is null || addresses.Count == 0 ||
            addresses.Any(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
        {
            return Task.CompletedTask;
        }

        if (options.Value.AllowPlainHttp)
        {
            Log.PlainHttpAllowed(logger, environment.EnvironmentName);
            return Task.CompletedTask;
        }

        throw new InvalidOperationException(
            $"The BFF listens only on plain HTTP ({string.Join(", ", addresses)}) in the '{environment.EnvironmentName}' environment, " +
            "so its session cookie would be sent without Secure. Serve HTTPS, or put a TLS-terminating proxy in front and list its " +
            "address in Bff:TrustedProxies, or set Bff:AllowPlainHttp=true for a deliberately unencrypted setup.");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
