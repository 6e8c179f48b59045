using Gateway.Actors.Cluster;
using Gateway.Node.Admin;
using Gateway.Shared.Messages;

namespace Gateway.Node.Tests.Admin;

/// <summary>/api/status as one object: the sync's fields, the providers, and in a cluster the members, the writers hosted here and every node's summary.</summary>
public sealed class StatusEndpointsSpecs
{
    private static readonly SyncStatus Sync = new(Ready: true, Reloads: 2, RuntimeCommands: 5, ConfigHash: "c", LastReloadReason: "new backend",
        LastError: null, HaproxyPid: 42, HaproxyVersion: "2.6", RoutesDesired: 1, RoutesApplied: 1, PendingServerRemovals: 0,
        Backends: new Dictionary<string, BackendSyncState>()) { DesiredHash = "h", AppliedHash = "h" };

    private static readonly ClusterView Cluster = new("akka.tcp://gateway@127.0.0.1:1", "akka.tcp://gateway@127.0.0.1:1",
        [new MemberView("akka.tcp://gateway@127.0.0.1:1", "Up", [])], [],
        [new NodeSummary("akka.tcp://gateway@127.0.0.1:1", new SyncSummary(true, "h", "h", 0, null, null), DateTime.UnixEpoch)]);

    [Fact]
    public void Status_should_list_the_backend_shards_whose_writers_run_on_this_node_in_order()
    {
        var status = StatusEndpoints.Merge(Sync, new ProvidersStatus([]), Cluster, [17, 3, 98]);

        Assert.Equal([3, 17, 98], status["cluster"]!["backendShards"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(2, status["reloads"]!.GetValue<long>());
        Assert.True(status["nodes"]![0]!["converged"]!.GetValue<bool>());
    }

    [Fact]
    public void Status_should_have_no_cluster_on_a_node_alone()
    {
        var status = StatusEndpoints.Merge(Sync, new ProvidersStatus([]));

        Assert.Null(status["cluster"]);
        Assert.Null(status["nodes"]);
    }
}
