using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Oidc;

/// <summary>
/// The provider's discovery document and signing keys, cached. Refreshed automatically after
/// <see cref="AutomaticRefreshInterval"/>, and on demand (an unknown <c>kid</c> means the provider rotated
/// its keys) at most once per <see cref="MinimumRefreshInterval"/> so forged tokens cannot make us hammer it.
/// The document's <c>issuer</c> must equal the configured authority: a document that names another issuer is refused.
/// </summary>
internal sealed class ProviderMetadata
{
    private readonly string _authority;
    private readonly string _address;
    private readonly IConfigurationRetriever<OpenIdConnectConfiguration> _retriever;
    private readonly IDocumentRetriever _documents;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _fetchedAt;

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

    public TimeSpan AutomaticRefreshInterval { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan MinimumRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && _time.GetUtcNow() - _fetchedAt < AutomaticRefreshInterval)
        {
            return current;
        }

        return await FetchAsync(force: false, cancellationToken);
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
            var fresh = _current is not null && (force ? age < MinimumRefreshInterval : age < AutomaticRefreshInterval);
            if (fresh)
            {
                return _current!;
            }

            OpenIdConnectConfiguration configuration;
            try
            {
                configuration = await _retriever.GetConfigurationAsync(_address, _documents, cancellationToken);
            }
            catch (Exception ex) when (_current is not null && ex is not OperationCanceledException)
            {
                // Keep serving the last good document while the provider is briefly unreachable.
                return _current;
            }

            var issuer = configuration.Issuer;
            if (issuer != _authority && issuer != _authority + "/")
            {
                throw new ProviderMetadataException(
                    $"The provider's discovery document names issuer '{configuration.Issuer}', but Bff:Authority is '{_authority}'. They must be equal.");
            }

            _current = configuration;
            _fetchedAt = _time.GetUtcNow();
            return configuration;
        }
        finally
        {
            _gate.Release();
        }
    }
}
