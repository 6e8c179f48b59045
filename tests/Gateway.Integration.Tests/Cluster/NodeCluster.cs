using System.Net;
using Gateway.Actors.Haproxy;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Cluster;

/// <summary>
/// What a cluster spec runs on: a throwaway PostgreSQL journal, two real backends ("a" and "b"),
/// and node processes on loopback with free ports, each in its own data dir with its own HAProxy.
/// Disposing writes each node's output to the test's log, stops the nodes and kills any HAProxy a
/// node left serving (a node removed from its cluster does).
/// </summary>
public sealed class NodeCluster(ITestOutputHelper output) : IAsyncLifetime
{
    public static readonly TimeSpan Converged = TimeSpan.FromSeconds(30);

    private readonly List<TempDir> _dirs = [];

    public PostgresServer Postgres { get; private set; } = null!;
    public TestBackend A { get; private set; } = null!;
    public TestBackend B { get; private set; } = null!;

    /// <summary>The nodes, in the order they were added; a spec may replace one it restarted.</summary>
    public List<NodeProcess> Nodes { get; } = [];

    public async Task InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        A = await TestBackend.StartAsync("a");
        B = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            output.WriteLine($"--- node on {node.Settings.AdminUrl} ---\n{node.Output}");
            await node.DisposeAsync();
            if (File.Exists(node.Layout.PidFile) && int.TryParse(await File.ReadAllTextAsync(node.Layout.PidFile), out var master))
                Posix.Signal(master, Posix.SIGKILL);
        }
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Postgres.DisposeAsync();
        foreach (var dir in _dirs)
            dir.Dispose();
    }

    /// <summary>A data dir of its own, removed at dispose.</summary>
    public string NewDir()
    {
        var dir = new TempDir("gwc");
        _dirs.Add(dir);
        return dir.Path;
    }

    /// <summary>A node on the shared journal, remoting on <paramref name="port"/>, joining <paramref name="seed"/>, with <paramref name="extra"/> settings.</summary>
    public NodeSettings Settings(int port, string seed, IEnumerable<string>? extra = null) => new(NewDir())
    {
        Extra =
        [
            "--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={Postgres.ConnectionString}",
            "--Gateway:Cluster:Hostname=127.0.0.1", $"--Gateway:Cluster:Port={port}", $"--Gateway:Cluster:SeedNodes:0={seed}",
            .. extra ?? [],
        ],
    };

    public static string Backend(string name, TestBackend server) =>
        $$"""{"name":"{{name}}","servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}}}]}""";

    /// <summary>Waits until each node's HAProxy answers <paramref name="host"/> from <paramref name="server"/>.</summary>
    public static async Task ServeAsync(IEnumerable<NodeProcess> nodes, string host, string server)
    {
        using var client = Clients.H2c();
        foreach (var node in nodes)
            await Eventually.True(async () =>
            {
                var (status, body, _) = await client.FetchAsync(node.PlainUrl + "/", host);
                return status == HttpStatusCode.OK && body.StartsWith($"server={server} ", StringComparison.Ordinal);
            }, Converged, $"{host} served by {server} through the HAProxy of the node on {node.Settings.AdminUrl}");
    }
}
