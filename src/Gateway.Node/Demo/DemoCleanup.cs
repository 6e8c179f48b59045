using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Cluster;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Routes;
using Gateway.Shared.Messages;

namespace Gateway.Node.Demo;

/// <summary>
/// With the demo off, removes what an earlier run's demo stored: backends and routes whose source is
/// <see cref="DemoBackends.Source"/>. (A node started without a provider used to run the demo and keep
/// its entries for good: after a provider was configured they went DOWN and <c>/</c> answered 503.)
/// Entries a user changed since carry the user's source and stay.
/// </summary>
public sealed class DemoCleanup(
    IRequiredActor<DesiredStateActor> desired, IRequiredActor<BackendWriters> manager, IRequiredActor<RoutesWriter> routes,
    ILogger<DemoCleanup> log) : BackgroundService
{
    private const string By = "demo-off";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await CleanAsync(stoppingToken);
        }
        catch (AskTimeoutException e)
        {
            log.LogWarning("Demo is off, but what an earlier demo stored was not all removed ({Error}); the next start tries again", e.Message);
        }
    }

    private async Task CleanAsync(CancellationToken stoppingToken)
    {
        await DesiredStateRecovery.WaitAsync(desired.ActorRef, stoppingToken);
        var list = await desired.ActorRef.Ask<BackendsList>(GetBackends.Instance, Timeout, stoppingToken);
        var demo = list.Backends.Where(b => b.Source == DemoBackends.Source).Select(b => b.Backend.Name).ToList();
        var removedRoutes = await routes.ActorRef.Ask<object>(new RoutesActor.RemoveRoutesFrom(DemoBackends.Source, By), Timeout, stoppingToken);
        var removed = 0;
        foreach (var name in demo)
            if (await manager.ActorRef.Ask<object>(new RemoveBackend(name, By), Timeout, stoppingToken) is BackendRemoved)
                removed++;
        var routeCount = removedRoutes is RoutesActor.RoutesRemoved r ? r.Count : 0;
        if (removedRoutes is NotStored notStored)
            log.LogWarning("Demo is off, but its routes could not be removed ({Reason}); the next start tries again", notStored.Reason);
        if (removed + routeCount > 0)
            log.LogInformation("Demo is off: removed [{Backends}] demo backends and [{Routes}] demo routes an earlier run left", removed, routeCount);
    }
}
