using System.Net;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Sharding;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Cluster;

/// <summary>
/// A node's controller killed with SIGKILL in a cluster of three: its HAProxy goes on serving, the
/// other two take over its backends' writers once they have downed it, and the node started again on
/// its data dir adopts its HAProxy and catches up at runtime, without a reload.
/// </summary>
public sealed class NodeLossSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Backends = 20;

    private readonly NodeCluster _cluster = new(output);

    private List<NodeProcess> Nodes => _cluster.Nodes;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private static string Host(int i) => $"k{i}.test";

    private static string Backend(int i, TestBackend server, int weight) =>
        $$"""{"name":"k{{i}}","servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}},"weight":{{weight}}}]}""";

    /// <summary>The backends whose shard, by <see cref="BackendShards"/>, <paramref name="node"/> hosts: their writers run there.</summary>
    private static async Task<List<int>> WrittenOnAsync(NodeProcess node)
    {
        var shards = (await node.StatusAsync()).GetProperty("cluster").GetProperty("backendShards").EnumerateArray()
            .Select(s => s.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        return Enumerable.Range(0, Backends).Where(i => shards.Contains(BackendShards.Instance.ShardId($"k{i}", null))).ToList();
    }

    private static async Task<int> HaproxyMasterAsync(NodeProcess node) => int.Parse(await File.ReadAllTextAsync(node.Layout.PidFile));

    [Fact]
    public async Task A_killed_nodes_haproxy_should_keep_serving_its_writers_move_and_on_return_it_should_adopt_haproxy_and_catch_up_without_a_reload()
    {
        var settings = await _cluster.StartAsync(3);
        var backends = Enumerable.Range(0, Backends).Select(i => Backend(i, _cluster.A, weight: 1));
        await Nodes[0].PostOkAsync("/api/backends?wait=true", $$"""{"backends":[{{string.Join(",", backends)}}]}""");
        for (var i = 0; i < Backends; i++)
            await Nodes[i % 2].PutOkAsync("/api/routes?wait=true", $$"""{"host":"{{Host(i)}}","path":"","backend":"k{{i}}"}""");
        foreach (var i in Enumerable.Range(0, Backends))
            await NodeCluster.ServeAsync(Nodes, Host(i), "a");
        // the writers of these backends run on the node about to be killed: each woke where its shard lives
        var onKilled = await WrittenOnAsync(Nodes[2]);
        Assert.True(onKilled.Count > 0, "no backend's writer on the third node (its shards: none of the 20 backends')");
        var elsewhere = Enumerable.Range(0, Backends).Except(onKilled).First();
        var killed = Nodes[2];
        var master = await HaproxyMasterAsync(killed);
        using var client = Clients.Http1();
        await using var load = new LoadLoop(client, killed.PlainUrl + "/", workers: 1, maxRequests: 3_000_000, maxTime: TimeSpan.FromSeconds(400),
            host: Host(onKilled[0]));
        await load.Progress(20);

        await killed.Kill();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.True(Posix.IsRunning(master), "HAProxy died with its node's controller");
        // the majority downs the killed node (its shards move then): until that, changes for its writers are not answered
        foreach (var i in onKilled.Append(elsewhere))
            await Eventually.True(async () =>
            {
                using var response = await Nodes[i % 2].PutJsonAsync($"/api/backends/k{i}", Backend(i, _cluster.B, weight: 3));
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(150), $"k{i} changed through the survivors");
        output.WriteLine($"{onKilled.Count} of {Backends} backends written on the killed node; all changed through the survivors {clock.Elapsed.TotalSeconds:0} s after the kill");
        foreach (var i in onKilled.Append(elsewhere))
            await NodeCluster.ServeAsync(Nodes.Take(2), Host(i), "b");
        await load.Progress(50); // the killed node's HAProxy served all along, what it had
        Assert.Equal(0, load.Failures);
        var (_, before, _) = await client.FetchAsync(killed.PlainUrl + "/", Host(onKilled[0]));
        Assert.StartsWith("server=a ", before);

        var restarted = await NodeProcess.StartAsync(settings[2] with { AdminPort = FreePort.Next() }, TimeSpan.FromSeconds(120));
        Nodes[2] = restarted;
        await killed.DisposeAsync();

        foreach (var i in onKilled.Append(elsewhere))
            await NodeCluster.ServeAsync([restarted], Host(i), "b");
        var statuses = await _cluster.ConvergedAsync(3, TimeSpan.FromSeconds(90));
        await load.Progress(50);
        await load.StopAsync();

        Assert.Single(statuses.Select(s => (s.GetProperty("desiredHash").GetString(), s.GetProperty("appliedHash").GetString())).Distinct());
        Assert.Equal(master, await HaproxyMasterAsync(restarted)); // adopted, not started again
        Assert.Contains("adopted", restarted.Output);
        Assert.Equal(0, await restarted.ReloadsAsync()); // server addresses and weights change at runtime
        Assert.Equal(0, load.Failures);
        Assert.All(Nodes, node => Assert.False(node.HasExited));
        Assert.Equal(3, (await NodeCluster.MembersAsync(Nodes[0])).Count);
    }
}
