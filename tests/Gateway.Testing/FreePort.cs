using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// Ports picked by the kernel at run time, so suites can run side by side, and never handed out
/// twice in one process: a spec that stops a node and starts it again on the same ports must not
/// find another spec's HAProxy there. HAProxy binds with SO_REUSEPORT, so two of them on one port
/// share its connections without an error (seen: a restarted node's requests answered "no route"
/// by another spec's HAProxy that had been given the port while it was free).
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
                if (Given.Add(port))
                    return port;
        }
        throw new InvalidOperationException("the kernel offered 100 ports in a row that were handed out before");
    }
}
