using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;

namespace Gateway.Node.Admin;

/// <summary>/api/status: what this node's HAProxy serves compared with the desired state.</summary>
public static class StatusEndpoints
{
    public static void MapStatus(this RouteGroupBuilder api) =>
        api.MapGet("/status", async (IRequiredActor<HaproxySyncActor> sync) =>
            AdminJson.Ok(await sync.ActorRef.Ask<SyncStatus>(GetSyncStatus.Instance, AdminApi.AskTimeout)));
}
