using System.Net;
using System.Text.Json;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Cluster;

/// <summary>
/// Three node processes on loopback, each with its own HAProxy, one PostgreSQL journal: a change
/// made through any node is served by every HAProxy.
/// </summary>
public sealed class ThreeNodeSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NodeCluster _cluster = new(output);

    /// <summary>Each node's settings, as started.</summary>
    private List<NodeSettings> _settings = [];

    private List<NodeProcess> Nodes => _cluster.Nodes;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private async Task StartClusterAsync(int count, Func<int, IEnumerable<string>>? extra = null) =>
        _settings = [.. await _cluster.StartAsync(count, extra)];

    private static Task<IReadOnlyList<string>> MembersAsync(NodeProcess node) => NodeCluster.MembersAsync(node);

    /// <summary>The remoting port of node <paramref name="i"/>, as started.</summary>
    private int Port(int i) =>
        int.Parse(_settings[i].Extra.Single(e => e.StartsWith("--Gateway:Cluster:Port=", StringComparison.Ordinal)).Split('=')[1]);

    /// <summary>The cluster address of node <paramref name="i"/>, as started.</summary>
    private string Address(int i) => $"akka.tcp://gateway@127.0.0.1:{Port(i)}";

    private static string Backend(string name, TestBackend server) => NodeCluster.Backend(name, server);

    private static Task ServeAsync(IEnumerable<NodeProcess> nodes, string host, string server) => NodeCluster.ServeAsync(nodes, host, server);

    /// <summary>Waits until every node's HAProxy answers <paramref name="host"/> from <paramref name="server"/>.</summary>
    private Task AllServeAsync(string host, string server) => ServeAsync(Nodes, host, server);

    [Fact]
    public async Task A_change_through_any_node_should_be_served_by_every_haproxy()
    {
        await StartClusterAsync(3);

        await Nodes[0].PutOkAsync("/api/backends/shop?wait=true", Backend("shop", _cluster.A));
        // ?wait=true answers once every node's HAProxy serves the change, and names them
        using (var response = await Nodes[0].PutJsonAsync("/api/routes?wait=true", """{"host":"shop.test","path":"","backend":"shop"}"""))
        {
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            Assert.Equal(Enumerable.Range(0, 3).Select(Address).Order(), body.GetProperty("servedBy").EnumerateArray().Select(e => e.GetString()!).Order());
        }
        using (var client = Clients.H2c())
            foreach (var node in Nodes)
            {
                var (status, body, _) = await client.FetchAsync(node.PlainUrl + "/", "shop.test");
                Assert.True(status == HttpStatusCode.OK && body.StartsWith("server=a ", StringComparison.Ordinal),
                    $"served at once by the HAProxy of the node on {node.Settings.AdminUrl}: {(int)status} {body}");
            }

        // a runtime change (another server address) through the third node
        await Nodes[2].PutOkAsync("/api/backends/shop?wait=true", Backend("shop", _cluster.B));
        await AllServeAsync("shop.test", "b");

        // another Akka service sends the seed's BackendEvent to any node's /user/backends and a route to /user/routes:
        // each lands on its single writer, wherever that lives
        await using (var service = new AkkaClient())
        {
            var evt = BackendEvent.Update(new Backend
            {
                Name = "shop", Servers = [new BackendServer { Name = "s1", IP = _cluster.A.IP, Port = _cluster.A.Port }],
            });
            var reply = await service.AskAsync(Port(1), "/user/backends", evt, TimeSpan.FromSeconds(30));
            Assert.Equal("shop", Assert.IsType<BackendAccepted>(reply).BackendName);
            var route = new SetRoute(new Route { Host = "svc.test", Path = "", Backend = "shop" }, "akka-service");
            Assert.IsType<RouteAccepted>(await service.AskAsync(Port(2), "/user/routes", route, TimeSpan.FromSeconds(30)));
        }
        await AllServeAsync("shop.test", "a");
        await AllServeAsync("svc.test", "a");

        // one call to any node tells whether the fleet has converged
        var statuses = await _cluster.ConvergedAsync(3);
        var hashes = statuses.Select(s => (Desired: s.GetProperty("desiredHash").GetString(), Applied: s.GetProperty("appliedHash").GetString())).ToList();
        Assert.Single(hashes.Distinct());
        Assert.Equal(hashes[0].Desired, hashes[0].Applied);
        Assert.All(statuses, s => Assert.Equal(3, s.GetProperty("cluster").GetProperty("members").GetArrayLength()));
        // the journal tail, which catches up what the fast path missed, polls PostgreSQL at the tuned pace, not the default 1 s
        Assert.All(Nodes, node => Assert.Contains("polling every [00:00:00.2500000] and for ordering gaps every [00:00:00.2500000]", node.Output));
    }

    [Fact]
    public async Task A_frozen_node_should_be_downed_by_the_majority_and_exit_with_its_haproxy_serving_then_rejoin()
    {
        await StartClusterAsync(3);
        await Nodes[0].PutOkAsync("/api/backends/shop?wait=true", Backend("shop", _cluster.A));
        await Nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"shop.test","path":"","backend":"shop"}""");
        await AllServeAsync("shop.test", "a");
        var frozen = Nodes[2];
        var frozenAddress = Address(2);

        Posix.Signal(frozen.ProcessId, Posix.SIGSTOP);
        try
        {
            // the majority downs it and goes on; a change whose writer lived on it waits for its shard to move
            await Eventually.True(async () => !(await MembersAsync(Nodes[0])).Contains(frozenAddress), TimeSpan.FromSeconds(120), "the frozen node removed");
            await Eventually.True(async () =>
            {
                using var response = await Nodes[0].PutJsonAsync("/api/backends/shop?wait=true", Backend("shop", _cluster.B));
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "a change accepted by the majority");
            await ServeAsync(Nodes.Take(2), "shop.test", "b");
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
        Nodes[2] = restarted;
        await frozen.DisposeAsync();
        await AllServeAsync("shop.test", "b");
        await Eventually.True(async () => (await MembersAsync(Nodes[0])).Count == 3, TimeSpan.FromSeconds(60), "three members again");
    }

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_should_hand_off_its_writers_and_leave_without_being_downed()
    {
        await StartClusterAsync(3);
        // 20 backends over 100 shards: the third node hosts some of their writers
        var names = Enumerable.Range(0, 20).Select(i => $"b{i}").ToList();
        await Nodes[0].PostOkAsync("/api/backends?wait=true",
            $$"""{"backends":[{{string.Join(",", names.Select(n => Backend(n, _cluster.A)))}}]}""");
        await Nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"b19.test","path":"","backend":"b19"}""");

        await Nodes[2].StopAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(0, Nodes[2].ExitCode);
        Assert.Contains("Exiting completed", Nodes[2].Output);
        await Eventually.True(async () => (await MembersAsync(Nodes[0])).Count == 2, TimeSpan.FromSeconds(60), "the leaver removed");
        // every backend's writer answers from the two that stay, those that lived on the leaver included
        await Nodes[0].PostOkAsync("/api/backends?wait=true",
            $$"""{"backends":[{{string.Join(",", names.Select(n => Backend(n, _cluster.B)))}}]}""");
        await ServeAsync(Nodes.Take(2), "b19.test", "b");
        // it left: the others saw it exit, never lost it (a lost node would wait 20 s for the split brain resolver to down it)
        Assert.All(Nodes.Take(2), node => Assert.DoesNotContain("Marking node(s) as UNREACHABLE", node.Output));
    }

    [Fact]
    public async Task Providers_should_poll_from_one_node_and_resume_on_a_survivor_when_it_is_killed()
    {
        await using var source = await SourceServer.StartAsync();
        source.Serve($$"""{"backends":[{"name":"fromsource","servers":[{"name":"s1","ip":"{{_cluster.A.IP}}","port":{{_cluster.A.Port}}}]}]}""");
        await StartClusterAsync(3, i => ["--Gateway:Providers:0:Type=Rest", "--Gateway:Providers:0:Name=registry",
            $"--Gateway:Providers:0:Url={source.Url}?node={i}", "--Gateway:Providers:0:Interval=500ms"]);
        await Nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"src.test","path":"","backend":"fromsource"}""");
        await AllServeAsync("src.test", "a");
        var poller = await Eventually.Get(() => Task.FromResult(source.Polls.LastOrDefault().Node), node => node is not null, NodeCluster.Converged, "a poll");

        await Nodes[int.Parse(poller!)].Kill();
        var survivors = Nodes.Where((_, i) => i != int.Parse(poller!)).ToList();
        source.Serve($$"""{"backends":[{"name":"fromsource","servers":[{"name":"s1","ip":"{{_cluster.B.IP}}","port":{{_cluster.B.Port}}}]}]}""");

        var resumed = await Eventually.Get(() => Task.FromResult(source.Polls.LastOrDefault().Node), node => node != poller,
            TimeSpan.FromSeconds(120), "polls from a survivor");
        await ServeAsync(survivors, "src.test", "b");
        // one poller at a time: the node that polls changes once, from the killed one to the survivor, never back and forth
        var pollers = source.Polls.Select(p => p.Node).Where((node, i) => i == 0 || node != source.Polls[i - 1].Node).ToList();
        Assert.Equal([poller, resumed], pollers);
    }

    [Fact]
    public async Task A_node_started_after_two_thousand_changes_should_converge_to_the_full_state()
    {
        await StartClusterAsync(2);
        // 200 backends, each changed 10 times (its server's weight): 2,000 changes, in documents of 200
        for (var round = 1; round <= 10; round++)
        {
            var weight = round;
            var backends = Enumerable.Range(0, 200).Select(i =>
                $$"""{"name":"b{{i}}","servers":[{"name":"s1","ip":"{{_cluster.A.IP}}","port":{{_cluster.A.Port}},"weight":{{weight}}}]}""");
            await Nodes[round % 2].PostOkAsync("/api/backends", $$"""{"backends":[{{string.Join(",", backends)}}]}""");
        }
        await Nodes[0].PutOkAsync("/api/routes?wait=true", """{"host":"late.test","path":"","backend":"b199"}""");

        var seed = _settings[0].Extra.Single(e => e.StartsWith("--Gateway:Cluster:SeedNodes:0=", StringComparison.Ordinal)).Split('=', 2)[1];
        // the third node joins after all of it: it reads the journal (catalog, then the tail) and serves everything
        Nodes.Add(await NodeProcess.StartAsync(_cluster.Settings(FreePort.Next(), seed), TimeSpan.FromSeconds(120)));

        await ServeAsync([Nodes[2]], "late.test", "a");
        var statuses = await Task.WhenAll(Nodes.Select(node => Eventually.Get(node.StatusAsync,
            status => status.GetProperty("appliedHash").GetString() == status.GetProperty("desiredHash").GetString()
                && status.GetProperty("backends").EnumerateObject().Count() == 200,
            TimeSpan.FromSeconds(60), $"the node on {node.Settings.AdminUrl} serving all 200 backends")));
        Assert.Single(statuses.Select(s => s.GetProperty("desiredHash").GetString()).Distinct());
        Assert.All(statuses[2].GetProperty("backends").EnumerateObject(), b => Assert.Equal(10, b.Value.GetProperty("desired").GetInt64()));
    }
}
