using System.Net;
using System.Net.Sockets;
using Bff.Http.Edge;

namespace Bff.RateLimiting;

/// <summary>
/// Whose budget a request spends: its client address — for IPv6 its /64 network, since one subscriber is
/// given a whole /64 and could otherwise take a fresh budget with every address in it — or, when the transport
/// gives none (a Unix socket, an in-process host), its connection, so clients without an address never share one
/// bucket.
/// </summary>
internal static class ClientPartition
{
    private const int Ipv6NetworkBytes = 8;

    public static string For(HttpContext context, ClientAddressResolver addresses) =>
        addresses.Resolve(context) is { } address ? Of(address) : "connection:" + context.Connection.Id;

    internal static string Of(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[Ipv6NetworkBytes..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
