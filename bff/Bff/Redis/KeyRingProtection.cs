namespace Bff.Redis;

/// <summary>The certificate that encrypts the key ring in Redis, registered only when one is set (for the start-up check).</summary>
internal sealed record KeyRingProtection(string Thumbprint);
