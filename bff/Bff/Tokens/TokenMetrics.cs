using System.Diagnostics.Metrics;
using Bff.Sessions.Audit;

namespace Bff.Tokens;

/// <summary>
/// Counters for token management, on the <c>Bff</c> meter. Successful refreshes are counted with the
/// session statistics (<c>bff.sessions.refreshes</c>), where the refresh's audit event is recorded.
/// </summary>
internal sealed class TokenMetrics
{
    private readonly Counter<long> _refreshFailures;
    private readonly Counter<long> _clientTokenFetches;

    public TokenMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(SessionStatistics.MeterName);
        _refreshFailures = meter.CreateCounter<long>("bff.tokens.refresh_failures", description: "Failed refreshes, by reason.");
        _clientTokenFetches = meter.CreateCounter<long>("bff.tokens.client_fetches", description: "Client-credentials tokens fetched from the provider.");
    }

    public void RefreshFailed(string reason) => _refreshFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ClientTokenFetched() => _clientTokenFetches.Add(1);
}
