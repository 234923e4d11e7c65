using System.Net;

namespace Bff.Configuration;

/// <summary>Reads one <see cref="BffOptions.TrustedProxies"/> entry: the validator and the edge parse it the same way.</summary>
internal static class TrustedProxyEntry
{
    /// <summary>An IP address (<c>10.0.0.1</c>) or a CIDR range (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParse(string? entry, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        entry = entry.Trim();
        if (entry.Contains('/'))
        {
            return IPNetwork.TryParse(entry, out network);
        }

        if (!IPAddress.TryParse(entry, out var address))
        {
            return false;
        }

        address = Normalize(address);
        network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    /// <summary>IPv4-mapped IPv6 as IPv4, so one client has one address.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
