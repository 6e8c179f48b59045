using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Providers;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Serialization;

namespace Gateway.Node.Admin;

/// <summary>/api/status: what this node's HAProxy serves compared with the desired state, and the health of its providers.</summary>
public static class StatusEndpoints
{
    public static void MapStatus(this RouteGroupBuilder api) =>
        api.MapGet("/status", async (IRequiredActor<HaproxySyncActor> sync, IRequiredActor<ProvidersActor> providers) =>
        {
            var syncStatus = sync.ActorRef.Ask<SyncStatus>(GetSyncStatus.Instance, AdminApi.AskTimeout);
            var providersStatus = providers.ActorRef.Ask<ProvidersStatus>(GetProvidersStatus.Instance, AdminApi.AskTimeout);
            return AdminJson.Ok(Merge(await syncStatus, await providersStatus));
        });

    /// <summary>The sync status's fields as they always were, plus <c>providers</c>.</summary>
    public static JsonObject Merge(SyncStatus sync, ProvidersStatus providers)
    {
        var status = JsonSerializer.SerializeToNode(sync, GatewayJson.Options)!.AsObject();
        status["providers"] = JsonSerializer.SerializeToNode(providers.Providers, GatewayJson.Options);
        return status;
    }
}
