using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>
/// <c>Gateway:Haproxy:HttpReuse</c> and a backend's own <c>httpReuse</c> through a real HAProxy, seen
/// from a real h2c server: which connections the first requests of new clients arrive on.
/// </summary>
public sealed class ConnectionReuseSpecs
{
    private const int NewClients = 6;

    [Theory]
    [InlineData(HttpReuse.Safe, null, false)]
    [InlineData(HttpReuse.Aggressive, null, true)]
    [InlineData(HttpReuse.Safe, HttpReuse.Aggressive, true)] // the backend's own, over the node's
    [InlineData(HttpReuse.Aggressive, HttpReuse.Safe, false)]
    public async Task First_requests_of_new_clients_should_share_server_connections_only_when_reuse_is_aggressive(
        HttpReuse node, HttpReuse? backend, bool shared)
    {
        await using var server = await TestBackend.StartAsync("h2c-1", http2: true);
        await using var haproxy = await HaproxyUnderTest.StartAsync(
            [
                new Backend
                {
                    Name = "grpc", Protocol = ServerProtocol.H2c, HttpReuse = backend,
                    Servers = [new BackendServer { Name = server.Name, IP = server.IP, Port = server.Port }],
                },
            ],
            [], fe => fe with { DefaultBackend = "grpc" }, new HaproxyOptions { HardStopAfter = TimeSpan.FromSeconds(10), HttpReuse = node });

        var firsts = new List<string>();
        for (var i = 0; i < NewClients; i++)
        {
            // one client connection each, closed before the next; its second request makes its server
            // connection one that has been reused, which is what "aggressive" offers to first requests
            using var client = Clients.Http1();
            firsts.Add(await ServerConnectionAsync(client, haproxy.PlainUrl + "/"));
            await ServerConnectionAsync(client, haproxy.PlainUrl + "/");
        }

        var distinct = firsts.Distinct().Count();
        if (!shared)
            Assert.Equal(NewClients, distinct); // each first request on a server connection of its own
        else
            Assert.True(distinct < NewClients, $"every first request opened a server connection of its own: {string.Join(", ", firsts)}");
    }

    private static async Task<string> ServerConnectionAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("x-connection").Single();
    }
}
