using System.Runtime.ExceptionServices;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Oidc;

/// <summary>
/// The provider's discovery document and signing keys, cached. Refreshed automatically after
/// <see cref="AutomaticRefreshInterval"/>, and on demand (an unknown <c>kid</c> means the provider rotated
/// its keys) at most once per <see cref="MinimumRefreshInterval"/> so forged tokens cannot make us hammer it.
/// The document's <c>issuer</c> must equal the configured authority: a document that names another issuer is refused,
/// and that refusal is remembered for <see cref="MinimumRefreshInterval"/> so a misconfigured provider is not
/// re-read on every request. While the provider cannot be reached, the last good document is served and the provider
/// is asked again at most once per <see cref="MinimumRefreshInterval"/>; before any document was read, the failure is
/// answered at once for <see cref="FirstReadRetryInterval"/> instead of each caller waiting for a read of its own. It is the sign-in handler's
/// <see cref="IConfigurationManager{T}"/> too, so sign-in, refresh and back-channel logout share one cache and one
/// re-read floor.
/// </summary>
internal sealed class ProviderMetadata : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    private readonly string _authority;
    private readonly string _address;
    private readonly IConfigurationRetriever<OpenIdConnectConfiguration> _retriever;
    private readonly IDocumentRetriever _documents;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _fetchedAt;
    private ProviderMetadataException? _refused;
    private DateTimeOffset _refusedAt;
    private DateTimeOffset _failedAt = DateTimeOffset.MinValue;
    private Exception? _firstReadFailure;

    public ProviderMetadata(
        string authority,
        IDocumentRetriever documents,
        TimeProvider time,
        IConfigurationRetriever<OpenIdConnectConfiguration>? retriever = null)
    {
        _authority = authority.TrimEnd('/');
        _address = _authority + "/.well-known/openid-configuration";
        _documents = documents;
        _time = time;
        _retriever = retriever ?? new OpenIdConnectConfigurationRetriever();
    }

    /// <summary>
    /// Whether the endpoints the document names must be HTTPS too (<c>Bff:RequireHttpsMetadata</c>): the token,
    /// pushed-authorization and revocation endpoints receive the client secret and refresh tokens.
    /// </summary>
    public bool RequireHttpsEndpoints { get; init; }

    public TimeSpan AutomaticRefreshInterval { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan MinimumRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a failed read is answered without asking again while no document was ever read. Short: until the
    /// provider answers, nobody can sign in.
    /// </summary>
    public TimeSpan FirstReadRetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    public async Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && (_time.GetUtcNow() - _fetchedAt < AutomaticRefreshInterval || RecentlyFailed))
        {
            return current;
        }

        return await FetchAsync(force: false, cancellationToken);
    }

    Task<OpenIdConnectConfiguration> IConfigurationManager<OpenIdConnectConfiguration>.GetConfigurationAsync(CancellationToken cancel) =>
        GetAsync(cancel);

    // The handler asks for a refresh after a key it does not know; the next read re-fetches, within the floor.
    void IConfigurationManager<OpenIdConnectConfiguration>.RequestRefresh()
    {
        if (_current is not null && _time.GetUtcNow() - _fetchedAt >= MinimumRefreshInterval)
        {
            _fetchedAt = DateTimeOffset.MinValue;
        }
    }

    /// <summary>Re-reads the document and keys unless that was done within <see cref="MinimumRefreshInterval"/>.</summary>
    public Task<OpenIdConnectConfiguration> RefreshAsync(CancellationToken cancellationToken) =>
        FetchAsync(force: true, cancellationToken);

    private async Task<OpenIdConnectConfiguration> FetchAsync(bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var age = _time.GetUtcNow() - _fetchedAt;
            var fresh = _current is not null && ((force ? age < MinimumRefreshInterval : age < AutomaticRefreshInterval) || RecentlyFailed);
            if (fresh)
            {
                return _current!;
            }

            // A refusal wins over the last good document: the authority now answers for another issuer, which an
            // operator must see (the health check turns unhealthy) rather than have hidden behind a stale copy; and
            // refreshed id_tokens from that issuer, judged against the old document, would end sessions as mismatches,
            // whereas a refusal only makes refreshes wait (503, the session kept).
            if (_refused is not null && _time.GetUtcNow() - _refusedAt < MinimumRefreshInterval)
            {
                throw _refused;
            }

            // Readiness probes and sign-ins of a freshly started instance would otherwise each wait for a read of
            // their own (up to the HTTP client's timeout) while the provider is away.
            if (_current is null && _firstReadFailure is not null && _time.GetUtcNow() - _failedAt < FirstReadRetryInterval)
            {
                ExceptionDispatchInfo.Throw(_firstReadFailure);
            }

            OpenIdConnectConfiguration configuration;
            try
            {
                configuration = await _retriever.GetConfigurationAsync(_address, _documents, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Keep serving the last good document while the provider is unreachable, and ask it again only after
                // the floor: otherwise, past the automatic refresh, every caller would queue behind a fetch that
                // times out.
                _failedAt = _time.GetUtcNow();
                if (_current is not null)
                {
                    return _current;
                }

                // Unreachable or timed out: as it is. Anything else (an HTML page, a body that is no discovery document
                // or key set) is an authority that does not point at a provider, which callers report as such, not as
                // an unexpected exception (a 500).
                if (ex is HttpRequestException or IOException)
                {
                    _firstReadFailure = ex;
                    throw;
                }

                _firstReadFailure = new ProviderMetadataException(
                    $"The provider's discovery document or signing keys at '{_address}' could not be read ({ex.GetType().Name}): is Bff:Authority the provider's issuer?", ex);
                throw _firstReadFailure;
            }

            if (Problem(configuration) is { } problem)
            {
                _refused = new ProviderMetadataException(problem);
                _refusedAt = _time.GetUtcNow();
                throw _refused;
            }

            _refused = null;
            _firstReadFailure = null;
            _failedAt = DateTimeOffset.MinValue;
            _current = configuration;
            _fetchedAt = _time.GetUtcNow();
            return configuration;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What makes the document unusable, or null.</summary>
    private string? Problem(OpenIdConnectConfiguration configuration)
    {
        var issuer = configuration.Issuer;
        if (issuer != _authority && issuer != _authority + "/")
        {
            return $"The provider's discovery document names issuer '{configuration.Issuer}', but Bff:Authority is '{_authority}'. They must be equal.";
        }

        if (!RequireHttpsEndpoints)
        {
            return null;
        }

        var plain = new[]
            {
                ("authorization_endpoint", configuration.AuthorizationEndpoint),
                ("token_endpoint", configuration.TokenEndpoint),
                ("pushed_authorization_request_endpoint", configuration.PushedAuthorizationRequestEndpoint),
                ("revocation_endpoint", configuration.RevocationEndpoint),
                ("end_session_endpoint", configuration.EndSessionEndpoint),
            }
            .FirstOrDefault(e => !string.IsNullOrEmpty(e.Item2) &&
                !(Uri.TryCreate(e.Item2, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps));
        return plain.Item1 is { } name
            ? $"The provider's discovery document names a {name} that is not HTTPS ('{plain.Item2}'), while Bff:RequireHttpsMetadata is true: the client secret and refresh tokens would travel in clear."
            : null;
    }

    private bool RecentlyFailed => _time.GetUtcNow() - _failedAt < MinimumRefreshInterval;

    public void Dispose() => _gate.Dispose();
}
