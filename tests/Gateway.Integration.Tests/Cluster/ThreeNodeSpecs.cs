using System.Net;
using Gateway.Actors.Haproxy;
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
            // a node that left its cluster leaves its HAProxy serving: a test that failed before restarting it must not leave it
            if (File.Exists(node.Layout.PidFile) && int.TryParse(await File.ReadAllTextAsync(node.Layout.PidFile), out var master))
                Posix.Signal(master, Posix.SIGKILL);
        }
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _postgres.DisposeAsync();
        foreach (var dir in _dirs)
            dir.Dispose();
    }

    /// <summary>Each node's settings, as started.</summary>
    private List<NodeSettings> _settings = [];

    /// <summary>Starts <paramref name="count"/> nodes; the first lists itself as the seed, the others join it.</summary>
    /// <param name="extra">More settings for node i (counted from 0).</param>
    private async Task StartClusterAsync(int count, Func<int, IEnumerable<string>>? extra = null)
    {
        var ports = Enumerable.Range(0, count).Select(_ => FreePort.Next()).ToList();
        var seed = $"akka.tcp://gateway@127.0.0.1:{ports[0]}";
        var settings = ports.Select((port, i) =>
        {
            var dir = new TempDir("gwc");
            _dirs.Add(dir);
            return new NodeSettings(dir.Path)
            {
                Extra =
                [
                    "--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={_postgres.ConnectionString}",
                    "--Gateway:Cluster:Hostname=127.0.0.1", $"--Gateway:Cluster:Port={port}", $"--Gateway:Cluster:SeedNodes:0={seed}",
                    .. extra?.Invoke(i) ?? [],
                ],
            };
        }).ToList();
        _settings = settings;
        _nodes.Add(await NodeProcess.StartAsync(settings[0], TimeSpan.FromSeconds(60)));
        _nodes.AddRange(await Task.WhenAll(settings.Skip(1).Select(s => NodeProcess.StartAsync(s, TimeSpan.FromSeconds(60)))));
    }

    /// <summary>The addresses of the members <paramref name="node"/> sees.</summary>
    private static async Task<IReadOnlyList<string>> MembersAsync(NodeProcess node) =>
        (await node.StatusAsync()).GetProperty("cluster").GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("address").GetString()!).ToList();

    private static string Backend(string name, TestBackend server) =>
        $$"""{"name":"{{name}}","servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}}}]}""";

    /// <summary>Waits until every node's HAProxy answers <paramref name="host"/> from <paramref name="server"/>.</summary>
    private Task AllServeAsync(string host, string server) => ServeAsync(_nodes, host, server);

    private static async Task ServeAsync(IEnumerable<NodeProcess> nodes, string host, string server)
    {
        using var client = Clients.H2c();
        foreach (var node in nodes)
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

        // one call to any node tells whether the fleet has converged
        var statuses = await Task.WhenAll(_nodes.Select(node => Eventually.Get(node.StatusAsync,
            status => status.GetProperty("nodes").GetArrayLength() == 3
                && status.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("converged").GetBoolean()),
            Converged, $"every node converged, as the node on {node.Settings.AdminUrl} sees it")));
        var hashes = statuses.Select(s => (Desired: s.GetProperty("desiredHash").GetString(), Applied: s.GetProperty("appliedHash").GetString())).ToList();
        Assert.Single(hashes.Distinct());
        Assert.Equal(hashes[0].Desired, hashes[0].Applied);
        Assert.All(statuses, s => Assert.Equal(3, s.GetProperty("cluster").GetProperty("members").GetArrayLength()));
    }

    [Fact]
    public async Task A_frozen_node_should_be_downed_by_the_majority_and_exit_with_its_haproxy_serving_then_rejoin()
    {
        await StartClusterAsync(3);
        await _nodes[0].PutOkAsync("/api/backends/shop?wait=true", Backend("shop", _a));
        await _nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"shop.test","path":"","backend":"shop"}""");
        await AllServeAsync("shop.test", "a");
        var frozen = _nodes[2];
        var frozenAddress = $"akka.tcp://gateway@127.0.0.1:{_settings[2].Extra.Single(e => e.StartsWith("--Gateway:Cluster:Port=", StringComparison.Ordinal)).Split('=')[1]}";

        Posix.Signal(frozen.ProcessId, Posix.SIGSTOP);
        try
        {
            // the majority downs it and goes on; a change whose writer lived on it waits for its shard to move
            await Eventually.True(async () => !(await MembersAsync(_nodes[0])).Contains(frozenAddress), TimeSpan.FromSeconds(120), "the frozen node removed");
            await Eventually.True(async () =>
            {
                using var response = await _nodes[0].PutJsonAsync("/api/backends/shop?wait=true", Backend("shop", _b));
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "a change accepted by the majority");
            await ServeAsync(_nodes.Take(2), "shop.test", "b");
        }
        finally
        {
            Posix.Signal(frozen.ProcessId, Posix.SIGCONT);
        }

        // woken, it learns it was downed: it exits non-zero, its HAProxy still serving (what it had, or the change if it
        // read it from its socket before it learnt it was out)
        await frozen.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, frozen.ExitCode);
        Assert.Contains("This node was removed from the cluster", frozen.Output);
        using (var client = Clients.H2c())
        {
            var (status, body, _) = await client.FetchAsync(frozen.PlainUrl + "/", "shop.test");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Matches("^server=[ab] ", body);
        }

        // restarted, it rejoins and converges
        var restarted = await NodeProcess.StartAsync(_settings[2] with { AdminPort = FreePort.Next() }, TimeSpan.FromSeconds(90));
        _nodes[2] = restarted;
        await frozen.DisposeAsync();
        await AllServeAsync("shop.test", "b");
        await Eventually.True(async () => (await MembersAsync(_nodes[0])).Count == 3, TimeSpan.FromSeconds(60), "three members again");
    }

    [Fact]
    public async Task Providers_should_poll_from_one_node_and_resume_on_a_survivor_when_it_is_killed()
    {
        await using var source = await SourceServer.StartAsync();
        source.Serve($$"""{"backends":[{"name":"fromsource","servers":[{"name":"s1","ip":"{{_a.IP}}","port":{{_a.Port}}}]}]}""");
        await StartClusterAsync(3, i => ["--Gateway:Providers:0:Type=Rest", "--Gateway:Providers:0:Name=registry",
            $"--Gateway:Providers:0:Url={source.Url}?node={i}", "--Gateway:Providers:0:Interval=500ms"]);
        await _nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"src.test","path":"","backend":"fromsource"}""");
        await AllServeAsync("src.test", "a");
        var poller = await Eventually.Get(() => Task.FromResult(source.Polls.LastOrDefault().Node), node => node is not null, Converged, "a poll");

        await _nodes[int.Parse(poller!)].Kill();
        var survivors = _nodes.Where((_, i) => i != int.Parse(poller!)).ToList();
        source.Serve($$"""{"backends":[{"name":"fromsource","servers":[{"name":"s1","ip":"{{_b.IP}}","port":{{_b.Port}}}]}]}""");

        var resumed = await Eventually.Get(() => Task.FromResult(source.Polls.LastOrDefault().Node), node => node != poller,
            TimeSpan.FromSeconds(120), "polls from a survivor");
        await ServeAsync(survivors, "src.test", "b");
        // one poller at a time: the node that polls changes once, from the killed one to the survivor, never back and forth
        var pollers = source.Polls.Select(p => p.Node).Where((node, i) => i == 0 || node != source.Polls[i - 1].Node).ToList();
        Assert.Equal([poller, resumed], pollers);
    }
}
