using System.Net;
using Microsoft.AspNetCore.Http;

namespace Bff.Http;

/// <summary>
/// The client's IP address. <see cref="ForwardedHeadersSetup"/> has already replaced the connection's peer with
/// the client a trusted proxy named, so this is the peer address, normalized (IPv4-mapped IPv6 as IPv4).
/// </summary>
internal sealed class ClientAddressResolver
{
    /// <summary>An IP address (<c>10.0.0.1</c>) or a CIDR range (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParseNetwork(string? entry, out System.Net.IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        entry = entry.Trim();
        if (entry.Contains('/'))
        {
            return System.Net.IPNetwork.TryParse(entry, out network);
        }

        if (!IPAddress.TryParse(entry, out var address))
        {
            return false;
        }

        address = Normalize(address);
        network = new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    public IPAddress? Resolve(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote ? Normalize(remote) : null;

    /// <summary>The client address as text, or null when there is none (in-process test hosts, Unix sockets).</summary>
    public string? ResolveText(HttpContext context) => Resolve(context)?.ToString();

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
