using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>Ports picked by the kernel at run time, so suites can run side by side.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
