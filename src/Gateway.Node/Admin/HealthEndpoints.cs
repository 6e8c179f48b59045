using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Health;
using Gateway.Actors.Persistence;
using Gateway.Actors.Sync;
using Gateway.Node.Demo;

namespace Gateway.Node.Admin;

/// <summary>
/// /healthz (the process answers) and /readyz (HAProxy serves the recovered state, and the demo
/// when it runs); both open, without a token. A node that is not ready says what it waits for.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>A part that does not answer within this is reported as busy, not waited for.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (IRequiredActor<JournalReadinessActor> journal,
            IRequiredActor<DesiredStateActor> desired, IRequiredActor<HaproxySyncActor> sync, DemoReadiness demo) =>
        {
            var parts = await Task.WhenAll(new[] { journal.ActorRef, desired.ActorRef, sync.ActorRef }.Select(Probe));
            var waiting = parts.Where(p => !p.Done).Select(p => $"{p.Component}: waiting for {p.WaitingFor}").ToList();
            if (demo.WaitingFor is { } demoWaits)
                waiting.Add($"demo: waiting for {demoWaits}");
            if (waiting.Count == 0)
                return Results.Text("ready\n");
            return Results.Problem(string.Join("; ", waiting), statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
                extensions: new Dictionary<string, object?> { ["waitingFor"] = waiting });
        });
    }

    private static async Task<StartupStatus> Probe(IActorRef part)
    {
        try
        {
            return await part.Ask<StartupStatus>(GetStartupStatus.Instance, ProbeTimeout);
        }
        catch (AskTimeoutException)
        {
            return new StartupStatus(part.Path.Name, $"an answer (none within {ProbeTimeout.TotalSeconds:0} s: busy)");
        }
    }
}
