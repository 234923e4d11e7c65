using System.Net;
using System.Net.Sockets;

namespace Bff.Testing;

/// <summary>
/// A loopback TCP port nobody listens on right now, for a separate process that must be told its port before it
/// starts (redis-server, nginx, the identity providers, which the BFF must know first). Kestrel hosts bind port 0.
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
