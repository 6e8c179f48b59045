using System.Net;
using System.Text.Json;
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

    /// <summary>
    /// Starts <paramref name="count"/> nodes into <see cref="Nodes"/>: the first lists itself as the seed and
    /// starts first, the others join it. Returns each node's settings, to start it again.
    /// </summary>
    /// <param name="extra">More settings for node i (counted from 0).</param>
    public async Task<IReadOnlyList<NodeSettings>> StartAsync(int count, Func<int, IEnumerable<string>>? extra = null)
    {
        var ports = Enumerable.Range(0, count).Select(_ => FreePort.Next()).ToList();
        var seed = $"akka.tcp://gateway@127.0.0.1:{ports[0]}";
        var settings = ports.Select((port, i) => Settings(port, seed, extra?.Invoke(i))).ToList();
        Nodes.Add(await NodeProcess.StartAsync(settings[0], TimeSpan.FromSeconds(60)));
        Nodes.AddRange(await Task.WhenAll(settings.Skip(1).Select(s => NodeProcess.StartAsync(s, TimeSpan.FromSeconds(60)))));
        return settings;
    }

    /// <summary>The addresses of the members <paramref name="node"/> sees.</summary>
    public static async Task<IReadOnlyList<string>> MembersAsync(NodeProcess node) =>
        (await node.StatusAsync()).GetProperty("cluster").GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("address").GetString()!).ToList();

    /// <summary>
    /// Waits until every node sees <paramref name="count"/> nodes, all converged on its desired state, and
    /// returns their statuses.
    /// </summary>
    public async Task<JsonElement[]> ConvergedAsync(int count, TimeSpan? within = null) =>
        await Task.WhenAll(Nodes.Select(node => Eventually.Get(node.StatusAsync,
            status => status.GetProperty("nodes").GetArrayLength() == count
                && status.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("converged").GetBoolean())
                && status.GetProperty("appliedHash").GetString() == status.GetProperty("desiredHash").GetString(),
            within ?? Converged, $"every node converged, as the node on {node.Settings.AdminUrl} sees it")));

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
