using Bff.Http.Edge;

namespace Bff.RateLimiting;

/// <summary>
/// Whose budget a request spends: its client address, or — when the transport gives none (a Unix socket, an
/// in-process host) — its connection, so clients without an address never share one bucket.
/// </summary>
internal static class ClientPartition
{
    public static string For(HttpContext context, ClientAddressResolver addresses) =>
        addresses.ResolveText(context) ?? "connection:" + context.Connection.Id;
}
