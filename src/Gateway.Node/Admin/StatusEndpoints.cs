using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Gateway.Actors.Cluster;
using Gateway.Actors.Providers;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Serialization;

namespace Gateway.Node.Admin;

/// <summary>
/// /api/status: what this node's HAProxy serves compared with the desired state (and their hashes),
/// the health of its providers, and in a cluster the members as this node sees them and every
/// node's summary: whether the fleet has converged, in one call; and this process's memory.
/// </summary>
public static class StatusEndpoints
{
    public static void MapStatus(this RouteGroupBuilder api) =>
        api.MapGet("/status", async (IRequiredActor<HaproxySyncActor> sync, IRequiredActor<ProvidersActor> providers, ActorRegistry registry) =>
        {
            var syncStatus = sync.ActorRef.Ask<SyncStatus>(GetSyncStatus.Instance, AdminApi.AskTimeout);
            var providersStatus = providers.ActorRef.Ask<ProvidersStatus>(GetProvidersStatus.Instance, AdminApi.AskTimeout);
            if (!registry.TryGet<ConvergenceActor>(out var convergence))
                return AdminJson.Ok(WithProcess(Merge(await syncStatus, await providersStatus)));
            // in a cluster the backends' writers are the shard region's: which shards run here
            var region = registry.Get<BackendRegion>().Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AdminApi.AskTimeout);
            var cluster = await convergence.Ask<ClusterView>(GetClusterView.Instance, AdminApi.AskTimeout);
            var shards = (await region).Shards.Select(s => int.Parse(s.ShardId, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            return AdminJson.Ok(WithProcess(Merge(await syncStatus, await providersStatus, cluster, shards)));
        });

    private static JsonObject WithProcess(JsonObject status)
    {
        status["process"] = JsonSerializer.SerializeToNode(ProcessStatus.Sample(), GatewayJson.Options);
        return status;
    }

    /// <summary>The sync status's fields as they always were, plus <c>providers</c>, and <c>cluster</c> and <c>nodes</c> in a cluster.</summary>
    /// <param name="backendShards">
    /// The backend shards whose writers run on this node (<c>cluster.backendShards</c>, in order): a backend's
    /// shard is <c>BackendShards</c>' hash of its name, so this says which node writes which backends.
    /// </param>
    public static JsonObject Merge(SyncStatus sync, ProvidersStatus providers, ClusterView? cluster = null, IEnumerable<int>? backendShards = null)
    {
        var status = JsonSerializer.SerializeToNode(sync, GatewayJson.Options)!.AsObject();
        status["providers"] = JsonSerializer.SerializeToNode(providers.Providers, GatewayJson.Options);
        if (cluster is null)
            return status;
        status["cluster"] = JsonSerializer.SerializeToNode(new
        {
            cluster.Self,
            cluster.Leader,
            cluster.Members,
            cluster.Unreachable,
            BackendShards = (backendShards ?? []).Order().ToList(),
        }, GatewayJson.Options);
        status["nodes"] = JsonSerializer.SerializeToNode(cluster.Nodes.Select(n => new
        {
            n.Address,
            n.Sync.Ready,
            n.Sync.AppliedHash,
            Converged = n.Sync.AppliedHash == sync.DesiredHash,
            n.Sync.Behind,
            n.Sync.LastReloadReason,
            n.Sync.LastError,
            n.Sync.LastErrorAt,
            n.UpdatedAt,
        }), GatewayJson.Options);
        return status;
    }
}
