using System.Diagnostics.Metrics;

namespace Bff.Tokens;

/// <summary>Counters for token management, on the <c>Bff</c> meter.</summary>
internal sealed class TokenMetrics
{
    public const string MeterName = "Bff";

    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _refreshFailures;
    private readonly Counter<long> _clientTokenFetches;

    public TokenMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _refreshes = meter.CreateCounter<long>("bff.tokens.refreshes", description: "User access tokens refreshed at the provider.");
        _refreshFailures = meter.CreateCounter<long>("bff.tokens.refresh_failures", description: "Failed refreshes, by reason.");
        _clientTokenFetches = meter.CreateCounter<long>("bff.tokens.client_fetches", description: "Client-credentials tokens fetched from the provider.");
    }

    public void Refreshed() => _refreshes.Add(1);

    public void RefreshFailed(string reason) => _refreshFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ClientTokenFetched() => _clientTokenFetches.Add(1);
}
