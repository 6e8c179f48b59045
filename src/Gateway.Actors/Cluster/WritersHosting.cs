using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Persistence;
using Gateway.Actors.Routes;
using Gateway.Shared.Sharding;

namespace Gateway.Actors.Cluster;

/// <summary>The registry key of whatever takes backend commands: the shard region in a cluster, <see cref="BackendManagerActor"/> on a node alone.</summary>
public sealed class BackendWriters;

/// <summary>The registry key of the routes' writer: the singleton's proxy in a cluster, the writer's gate on a node alone.</summary>
public sealed class RoutesWriter;

/// <summary>
/// Akka.Hosting registration of the single writers, one per backend and one for the routes, and of
/// where their reports go. On a node alone they are children here and report to the desired-state
/// view; in a cluster the backends are sharded, the routes a singleton, and both report to the
/// <see cref="ChangeFeedActor"/>, which publishes to every node.
/// </summary>
public static class WritersHosting
{
    /// <summary>The routes' writer's gate on a node alone.</summary>
    private const string RoutesGate = "routes-gate";

    /// <summary>Where the desired state and the journal tail ask the routes' writer for the routes (a path: it is made after them).</summary>
    public static string RoutesWriterPath(bool clustered) => clustered ? $"/user/{GatewayNames.RoutesSingleton}-proxy" : $"/user/{RoutesGate}";

    /// <summary>
    /// A backend's entity in the shard region: its writer behind a gate, which holds commands while the
    /// writer reads its journal or restarts after a journal failure, answers them not stored when the
    /// journal stays down, and passivates the writer of a backend that does not exist.
    /// </summary>
    public static Props ShardedBackendProps(string name, IActorRef changes) =>
        WriterGateActor.Props(BackendActor.Props(name, changes), BackendActor.PersistencePrefix + name);

    public static AkkaConfigurationBuilder AddWriters(this AkkaConfigurationBuilder builder, bool clustered) =>
        clustered ? builder.AddClusteredWriters() : builder.AddLocalWriters();

    private static AkkaConfigurationBuilder AddLocalWriters(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var desired = registry.Get<DesiredStateActor>();
            registry.Register<BackendWriters>(system.ActorOf(BackendManagerActor.Props(desired), "backends"));
            var routes = WriterGateActor.Props(RoutesActor.Props(desired), RoutesActor.Id);
            registry.Register<RoutesWriter>(system.ActorOf(routes, RoutesGate));
        });

    private static AkkaConfigurationBuilder AddClusteredWriters(this AkkaConfigurationBuilder builder) =>
        builder
            .WithActors((system, registry) =>
                registry.Register<ChangeFeedActor>(system.ActorOf(ChangeFeedActor.Props(registry.Get<DesiredStateActor>()), "change-feed")))
            .WithShardRegion<BackendWriters>(BackendShards.TypeName,
                (_, registry, _) => name => ShardedBackendProps(name, registry.Get<ChangeFeedActor>()),
                BackendShards.Instance, new ShardOptions { StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData, RememberEntities = false })
            .WithSingleton<RoutesWriter>(GatewayNames.RoutesSingleton,
                (_, registry, _) => WriterGateActor.Props(RoutesActor.Props(registry.Get<ChangeFeedActor>()), RoutesActor.Id),
                new ClusterSingletonOptions());
}
