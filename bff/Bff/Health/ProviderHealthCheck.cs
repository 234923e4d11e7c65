using Bff.Oidc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Health;

/// <summary>
/// Health check <c>provider</c>: the identity provider's discovery document can be had (fresh, or the last
/// good copy while the provider is briefly away). Without it nobody can sign in.
/// </summary>
internal sealed class ProviderHealthCheck(ProviderMetadata metadata) : IHealthCheck
{
    public const string Name = "provider";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await metadata.GetAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (ProviderMetadataException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The provider is misconfigured: its discovery document does not match Bff:Authority.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The provider's discovery document cannot be read.", ex);
        }
    }
}
