using System.Net;
using Bff.Configuration;

namespace Bff.Http.Edge;

/// <summary>
/// The client's IP address. <see cref="ForwardedHeadersSetup"/> has already replaced the connection's peer with
/// the client a trusted proxy named, so this is the peer address, normalized (IPv4-mapped IPv6 as IPv4).
/// </summary>
internal sealed class ClientAddressResolver
{
    public IPAddress? Resolve(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote ? TrustedProxyEntry.Normalize(remote) : null;

    /// <summary>The client address as text, or null when there is none (in-process test hosts, Unix sockets).</summary>
    public string? ResolveText(HttpContext context) => Resolve(context)?.ToString();
}
