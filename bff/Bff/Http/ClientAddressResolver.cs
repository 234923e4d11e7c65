using System.Net;
using Bff.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Bff.Http;

/// <summary>
/// The client's IP address: the connection's peer, unless that peer is a configured trusted proxy
/// (<c>Bff:TrustedProxies</c>), in which case <c>X-Forwarded-For</c> is read from the right, skipping
/// further trusted proxies. A header sent by anyone else is ignored: it is whatever the client wrote.
/// </summary>
internal sealed class ClientAddressResolver
{
    private const string ForwardedFor = "X-Forwarded-For";
    private readonly IPNetwork[] _trusted;

    public ClientAddressResolver(IOptions<BffOptions> options)
    {
        _trusted = options.Value.TrustedProxies
            .Select(entry => TryParseNetwork(entry, out var network) ? network : (IPNetwork?)null)
            .OfType<IPNetwork>()
            .ToArray();
    }

    /// <summary>An IP address (<c>10.0.0.1</c>) or a CIDR range (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParseNetwork(string? entry, out IPNetwork network)
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

    public IPAddress? Resolve(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress is { } remote ? Normalize(remote) : null;
        if (peer is null || !IsTrusted(peer))
        {
            return peer;
        }

        var hops = context.Request.Headers[ForwardedFor]
            .SelectMany(value => (value ?? "").Split(','))
            .Select(hop => hop.Trim())
            .Where(hop => hop.Length > 0)
            .ToArray();

        var client = peer;
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!TryParseHop(hops[i], out var hop))
            {
                // Garbage in the chain: trust nothing left of it.
                return client;
            }

            client = hop;
            if (!IsTrusted(hop))
            {
                return hop;
            }
        }

        return client;
    }

    /// <summary>The client address as text, or null when there is none (in-process test hosts).</summary>
    public string? ResolveText(HttpContext context) => Resolve(context)?.ToString();

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseHop(string hop, out IPAddress address)
    {
        // "[::1]:1234" and "1.2.3.4:80" appear in the wild; a bare IPv6 address has several colons.
        if (IPEndPoint.TryParse(hop, out var endpoint))
        {
            address = Normalize(endpoint.Address);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
