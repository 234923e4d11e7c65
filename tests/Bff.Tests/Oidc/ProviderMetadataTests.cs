using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Tests.Oidc;

public sealed class ProviderMetadataTests
{
    private readonly InMemoryProvider _provider = InMemoryProvider.WithDefaultKeys();

    [Fact]
    public async Task Reads_the_discovery_document_at_the_well_known_address()
    {
        var configuration = await _provider.Metadata.GetAsync(CancellationToken.None);

        Assert.Equal(InMemoryProvider.Issuer + "/.well-known/openid-configuration", _provider.LastAddress);
        Assert.Equal(InMemoryProvider.Issuer + "/token", configuration.TokenEndpoint);
    }

    [Fact]
    public async Task Authority_with_a_trailing_slash_reads_the_same_address()
    {
        var metadata = new ProviderMetadata(InMemoryProvider.Issuer + "/", null!, _provider.Time, _provider);

        await metadata.GetAsync(CancellationToken.None);

        Assert.Equal(InMemoryProvider.Issuer + "/.well-known/openid-configuration", _provider.LastAddress);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://idp.example/tenant")]
    [InlineData("http://idp.example")]
    [InlineData("")]
    public async Task Document_naming_another_issuer_is_refused(string issuer)
    {
        _provider.DocumentIssuer = issuer;

        var error = await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.GetAsync(CancellationToken.None));

        Assert.Contains("Bff:Authority", error.Message);
    }

    // Bff:RequireHttpsMetadata covered the discovery document and keys only: a document naming an http token endpoint
    // had the client secret and refresh tokens posted in clear.
    [Theory]
    [InlineData("token_endpoint")]
    [InlineData("revocation_endpoint")]
    [InlineData("pushed_authorization_request_endpoint")]
    [InlineData("authorization_endpoint")]
    [InlineData("end_session_endpoint")]
    public async Task With_https_required_a_document_naming_a_plain_http_endpoint_is_refused(string endpoint)
    {
        _provider.Adjust = c =>
        {
            const string plain = "http://idp.example/plain";
            switch (endpoint)
            {
                case "token_endpoint": c.TokenEndpoint = plain; break;
                case "revocation_endpoint": c.RevocationEndpoint = plain; break;
                case "pushed_authorization_request_endpoint": c.PushedAuthorizationRequestEndpoint = plain; break;
                case "authorization_endpoint": c.AuthorizationEndpoint = plain; break;
                case "end_session_endpoint": c.EndSessionEndpoint = plain; break;
            }
        };
        var strict = new ProviderMetadata(InMemoryProvider.Issuer, null!, _provider.Time, _provider) { RequireHttpsEndpoints = true };
        var lenient = new ProviderMetadata(InMemoryProvider.Issuer, null!, _provider.Time, _provider);

        var error = await Assert.ThrowsAsync<ProviderMetadataException>(() => strict.GetAsync(CancellationToken.None));
        Assert.Contains(endpoint, error.Message);
        Assert.Contains("Bff:RequireHttpsMetadata", error.Message);

        // A development provider over plain HTTP runs with the requirement off.
        Assert.NotNull(await lenient.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task With_https_required_a_document_of_https_endpoints_is_read()
    {
        var strict = new ProviderMetadata(InMemoryProvider.Issuer, null!, _provider.Time, _provider) { RequireHttpsEndpoints = true };

        Assert.Equal(InMemoryProvider.Issuer + "/token", (await strict.GetAsync(CancellationToken.None)).TokenEndpoint);
    }

    [Fact]
    public async Task A_document_that_fails_validation_is_remembered_as_failed_for_a_short_time()
    {
        _provider.DocumentIssuer = "https://evil.example";
        await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.GetAsync(CancellationToken.None));

        // Not re-read on every request while it is wrong...
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.GetAsync(CancellationToken.None));
        }

        Assert.Equal(1, _provider.Fetches);

        // ...but read again once the short time is over, and used once it is right.
        _provider.DocumentIssuer = InMemoryProvider.Issuer;
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        Assert.Equal(InMemoryProvider.Issuer, (await _provider.Metadata.GetAsync(CancellationToken.None)).Issuer);
        Assert.Equal(2, _provider.Fetches);
    }

    [Fact]
    public async Task A_document_naming_another_issuer_is_refused_even_while_a_good_one_is_held()
    {
        var good = await _provider.Metadata.GetAsync(CancellationToken.None);
        _provider.DocumentIssuer = "https://evil.example";
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval);

        // Not the last good copy: the provider now answers for another issuer, and that must show.
        await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.GetAsync(CancellationToken.None));
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval - TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, _provider.Fetches);

        _provider.DocumentIssuer = InMemoryProvider.Issuer;
        _provider.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotSame(good, await _provider.Metadata.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_handlers_refresh_request_re_reads_once_within_the_floor()
    {
        IConfigurationManager<OpenIdConnectConfiguration> manager = _provider.Metadata;
        await manager.GetConfigurationAsync(CancellationToken.None);

        manager.RequestRefresh(); // too soon after the first read: ignored
        await manager.GetConfigurationAsync(CancellationToken.None);
        Assert.Equal(1, _provider.Fetches);

        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        manager.RequestRefresh();
        await manager.GetConfigurationAsync(CancellationToken.None);
        await manager.GetConfigurationAsync(CancellationToken.None);
        Assert.Equal(2, _provider.Fetches);
    }

    [Fact]
    public async Task Document_is_cached_until_the_automatic_refresh_interval()
    {
        var first = await _provider.Metadata.GetAsync(CancellationToken.None);
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval - TimeSpan.FromSeconds(1));
        var cached = await _provider.Metadata.GetAsync(CancellationToken.None);

        _provider.Time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await _provider.Metadata.GetAsync(CancellationToken.None);

        Assert.Same(first, cached);
        Assert.NotSame(first, refreshed);
        Assert.Equal(2, _provider.Fetches);
    }

    [Fact]
    public async Task Forced_refresh_is_limited_to_once_per_minimum_interval()
    {
        var first = await _provider.Metadata.GetAsync(CancellationToken.None);

        var tooSoon = await _provider.Metadata.RefreshAsync(CancellationToken.None);
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        var allowed = await _provider.Metadata.RefreshAsync(CancellationToken.None);

        Assert.Same(first, tooSoon);
        Assert.NotSame(first, allowed);
        Assert.Equal(2, _provider.Fetches);
    }

    [Fact]
    public async Task Last_good_document_is_kept_while_the_provider_fails()
    {
        var good = await _provider.Metadata.GetAsync(CancellationToken.None);
        _provider.FetchFailure = new HttpRequestException("connection refused");
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval);

        var served = await _provider.Metadata.GetAsync(CancellationToken.None);

        Assert.Same(good, served);
        Assert.Equal(2, _provider.Fetches);
    }

    // Past the automatic refresh, every caller would otherwise queue behind a fetch that times out.
    [Fact]
    public async Task While_the_provider_fails_it_is_asked_again_at_most_once_per_minimum_interval()
    {
        var good = await _provider.Metadata.GetAsync(CancellationToken.None);
        _provider.FetchFailure = new HttpRequestException("connection refused");
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval);

        Assert.Same(good, await _provider.Metadata.GetAsync(CancellationToken.None));
        Assert.Same(good, await _provider.Metadata.GetAsync(CancellationToken.None));
        Assert.Same(good, await _provider.Metadata.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, _provider.Fetches);

        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        Assert.Same(good, await _provider.Metadata.GetAsync(CancellationToken.None));
        Assert.Equal(3, _provider.Fetches);

        // Back: the next attempt after the floor reads the new document.
        _provider.FetchFailure = null;
        _provider.Time.Advance(_provider.Metadata.MinimumRefreshInterval);
        Assert.NotSame(good, await _provider.Metadata.GetAsync(CancellationToken.None));
        Assert.Equal(4, _provider.Fetches);
    }

    [Fact]
    public async Task First_fetch_failure_is_reported_and_answered_at_once_for_a_short_time()
    {
        _provider.FetchFailure = new HttpRequestException("connection refused");

        await Assert.ThrowsAsync<HttpRequestException>(() => _provider.Metadata.GetAsync(CancellationToken.None));

        // Readiness probes and sign-ins meanwhile get the same failure without each waiting for a read.
        var calls = Enumerable.Range(0, 20).Select(_ => Assert.ThrowsAsync<HttpRequestException>(() => _provider.Metadata.GetAsync(CancellationToken.None)));
        await Task.WhenAll(calls);
        Assert.Equal(1, _provider.Fetches);

        // Then the provider is asked again; once it answers, the document is read.
        _provider.FetchFailure = null;
        _provider.Time.Advance(_provider.Metadata.FirstReadRetryInterval);
        await _provider.Metadata.GetAsync(CancellationToken.None);
        Assert.Equal(2, _provider.Fetches);
    }

    // An authority that answers with its own web page instead of a discovery document used to reach /bff/login as a
    // JsonException, answered 500.
    [Fact]
    public async Task A_document_that_cannot_be_read_is_reported_as_a_misconfigured_provider()
    {
        _provider.FetchFailure = new System.Text.Json.JsonException("'<' is an invalid start of a value.");

        var refused = await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.GetAsync(CancellationToken.None));

        Assert.Contains("Bff:Authority", refused.Message);
        await Assert.ThrowsAsync<ProviderMetadataException>(() => _provider.Metadata.GetAsync(CancellationToken.None));
        Assert.Equal(1, _provider.Fetches);
    }

    [Fact]
    public async Task A_cancelled_first_read_is_not_remembered_as_a_failure()
    {
        var release = new TaskCompletionSource();
        _provider.FetchGate = release.Task;
        using var caller = new CancellationTokenSource();

        var cancelled = _provider.Metadata.GetAsync(caller.Token);
        await caller.CancelAsync();
        release.SetResult();
        await Assert.ThrowsAsync<IOException>(() => cancelled);

        // The next caller reads the document at once.
        _provider.FetchGate = null;
        var good = await _provider.Metadata.GetAsync(CancellationToken.None);
        Assert.Equal(2, _provider.Fetches);

        // Nor is a cancelled re-read past the automatic refresh: the next caller reads again instead of getting the
        // old document for the whole floor.
        _provider.Time.Advance(_provider.Metadata.AutomaticRefreshInterval);
        var hold = new TaskCompletionSource();
        _provider.FetchGate = hold.Task;
        using var second = new CancellationTokenSource();
        var cancelledRefresh = _provider.Metadata.GetAsync(second.Token);
        await second.CancelAsync();
        await Assert.ThrowsAsync<IOException>(() => cancelledRefresh);
        _provider.FetchGate = null;
        Assert.NotSame(good, await _provider.Metadata.GetAsync(CancellationToken.None));
        Assert.Equal(4, _provider.Fetches);
    }

    [Fact]
    public async Task Concurrent_first_calls_fetch_once()
    {
        var release = new TaskCompletionSource();
        _provider.FetchGate = release.Task;

        var calls = Enumerable.Range(0, 8).Select(_ => _provider.Metadata.GetAsync(CancellationToken.None)).ToList();
        release.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, _provider.Fetches);
        Assert.All(results, r => Assert.Same(results[0], r));
    }
}
