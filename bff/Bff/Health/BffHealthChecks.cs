namespace Bff.Health;

/// <summary>Names shared by the BFF's health checks.</summary>
public static class BffHealthChecks
{
    /// <summary>Tag of the checks <c>/health/ready</c> runs: tag your own checks with it to take part.</summary>
    public const string ReadyTag = "ready";

    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";
}
