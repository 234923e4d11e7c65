using System.Net;
using System.Net.Sockets;

namespace Bff.Testing;

/// <summary>
/// A loopback TCP port nobody listens on right now, for a separate process that must be told its port before it
/// starts (redis-server, nginx, the identity providers, which the BFF must know first). Kestrel hosts bind port 0.
/// <para>
/// Taken below the kernel's ephemeral range: a port from that range, free when checked, could be handed to a Kestrel
/// host binding port 0, or to an outgoing connection, before its own process binds it (the provider then finds the BFF
/// answering on its port). No port is handed out twice by one process.
/// </para>
/// </summary>
public static class FreePort
{
    private const int Lowest = 10_000;
    private static readonly HashSet<int> Given = [];
    private static readonly int EphemeralStart = ReadEphemeralStart();

    public static int Next()
    {
        if (EphemeralStart - Lowest < 1_000)
        {
            return FromKernel();
        }

        lock (Given)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(Lowest, EphemeralStart);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        return FromKernel();
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FromKernel()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Linux names the range in /proc; elsewhere the IANA range (49152-65535) is assumed.
    private static int ReadEphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }
}
