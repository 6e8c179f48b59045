using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;

namespace Gateway.Node.Admin;

/// <summary>/healthz (the process answers) and /readyz (HAProxy serves the recovered state); both open, without a token.</summary>
public static class HealthEndpoints
{
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (IRequiredActor<HaproxySyncActor> sync) =>
        {
            var status = await sync.ActorRef.Ask<SyncStatus>(GetSyncStatus.Instance, AdminApi.AskTimeout);
            return status.Ready ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
