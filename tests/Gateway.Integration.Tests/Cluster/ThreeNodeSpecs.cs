using System.Net;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Cluster;

/// <summary>
/// Three node processes on loopback, each with its own HAProxy, one PostgreSQL journal: a change
/// made through any node is served by every HAProxy.
/// </summary>
public sealed class ThreeNodeSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Converged = TimeSpan.FromSeconds(30);

    private readonly List<TempDir> _dirs = [];
    private readonly List<NodeProcess> _nodes = [];
    private PostgresServer _postgres = null!;
    private TestBackend _a = null!, _b = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            output.WriteLine($"--- node on {node.Settings.AdminUrl} ---\n{node.Output}");
            await node.DisposeAsync();
        }
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _postgres.DisposeAsync();
        foreach (var dir in _dirs)
            dir.Dispose();
    }

    /// <summary>Starts <paramref name="count"/> nodes; the first lists itself as the seed, the others join it.</summary>
    private async Task StartClusterAsync(int count)
    {
        var ports = Enumerable.Range(0, count).Select(_ => FreePort.Next()).ToList();
        var seed = $"akka.tcp://gateway@127.0.0.1:{ports[0]}";
        var settings = ports.Select(port =>
        {
            var dir = new TempDir("gwc");
            _dirs.Add(dir);
            return new NodeSettings(dir.Path)
            {
                Extra =
                [
                    "--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={_postgres.ConnectionString}",
                    "--Gateway:Cluster:Hostname=127.0.0.1", $"--Gateway:Cluster:Port={port}", $"--Gateway:Cluster:SeedNodes:0={seed}",
                ],
            };
        }).ToList();
        _nodes.Add(await NodeProcess.StartAsync(settings[0], TimeSpan.FromSeconds(60)));
        _nodes.AddRange(await Task.WhenAll(settings.Skip(1).Select(s => NodeProcess.StartAsync(s, TimeSpan.FromSeconds(60)))));
    }

    private static string Backend(string name, TestBackend server) =>
        $$"""{"name":"{{name}}","servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}}}]}""";

    /// <summary>Waits until every node's HAProxy answers <paramref name="host"/> from <paramref name="server"/>.</summary>
    private async Task AllServeAsync(string host, string server)
    {
        using var client = Clients.H2c();
        foreach (var node in _nodes)
            await Eventually.True(async () =>
            {
                var (status, body, _) = await client.FetchAsync(node.PlainUrl + "/", host);
                return status == HttpStatusCode.OK && body.StartsWith($"server={server} ", StringComparison.Ordinal);
            }, Converged, $"{host} served by {server} through the HAProxy of the node on {node.Settings.AdminUrl}");
    }

    [Fact]
    public async Task A_change_through_any_node_should_be_served_by_every_haproxy()
    {
        await StartClusterAsync(3);

        await _nodes[0].PutOkAsync("/api/backends/shop?wait=true", Backend("shop", _a));
        await _nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"shop.test","path":"","backend":"shop"}""");
        await AllServeAsync("shop.test", "a");

        // a runtime change (another server address) through the third node
        await _nodes[2].PutOkAsync("/api/backends/shop?wait=true", Backend("shop", _b));
        await AllServeAsync("shop.test", "b");
    }
}
