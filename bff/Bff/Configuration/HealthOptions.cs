namespace Bff.Configuration;

/// <summary>What the health endpoints disclose, bound from <c>Bff:Health</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// Show each check's status and the session statistics in <c>/health/ready</c>. Unset: shown in Development
    /// only; elsewhere the endpoint answers the overall status alone, since anyone who can reach it can read it.
    /// </summary>
    public bool? ShowDetails { get; set; }
}
