using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Persistence;
using Gateway.Actors.Routes;
using Gateway.Shared.Sharding;

namespace Gateway.Actors.Cluster;

/// <summary>
/// The registry key of what takes backend commands: the <see cref="BackendIngressActor"/> at
/// <c>/user/backends</c>, in front of the shard region in a cluster and of
/// <see cref="BackendManagerActor"/> on a node alone.
/// </summary>
public sealed class BackendWriters;

/// <summary>The registry key of the backends' shard region (in a cluster).</summary>
public sealed class BackendRegion;

/// <summary>The registry key of the routes' writer at <c>/user/routes</c>: the singleton's proxy in a cluster, the writer's gate on a node alone.</summary>
public sealed class RoutesWriter;

/// <summary>The registry key of the routes' singleton manager (in a cluster).</summary>
public sealed class RoutesSingletonManager;

/// <summary>
/// Akka.Hosting registration of the single writers, one per backend and one for the routes, and of
/// where their reports go. On a node alone they are children here and report to the desired-state
/// view; in a cluster the backends are sharded, the routes a singleton, and both report to the
/// <see cref="ChangeFeedActor"/>, which publishes to every node.
/// </summary>
public static class WritersHosting
{
    /// <summary>The name of the routes' writer under <c>/user</c> on every node, in both modes (other Akka services send route commands there).</summary>
    private const string Routes = "routes";

    /// <summary>Where the desired state and the journal tail ask the routes' writer for the routes (a path: it is made after them).</summary>
    public const string RoutesWriterPath = $"/user/{Routes}";

    /// <summary>
    /// A backend's entity in the shard region: its writer behind a gate, which holds commands while the
    /// writer reads its journal or restarts after a journal failure, answers them not stored when the
    /// journal stays down, and passivates the writer of a backend that does not exist.
    /// </summary>
    public static Props ShardedBackendProps(string name, IActorRef changes) =>
        WriterGateActor.Props(BackendActor.Props(name, changes), BackendActor.PersistencePrefix + name);

    /// <summary>
    /// What a writer moving to another node gets from its shard or singleton manager: it stops once its
    /// writes in flight are answered (their PoisonPill lost the reply of a write in flight).
    /// </summary>
    public static readonly StopAfterWrites MovingWriterStop = StopAfterWrites.Instance;

    public static AkkaConfigurationBuilder AddWriters(this AkkaConfigurationBuilder builder, bool clustered) =>
        clustered ? builder.AddClusteredWriters() : builder.AddLocalWriters();

    private static AkkaConfigurationBuilder AddLocalWriters(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var desired = registry.Get<DesiredStateActor>();
            var manager = system.ActorOf(BackendManagerActor.Props(desired), "backend-writers");
            registry.Register<BackendWriters>(system.ActorOf(BackendIngressActor.Props(manager), BackendIngressActor.Name));
            var routes = WriterGateActor.Props(RoutesActor.Props(desired), RoutesActor.Id);
            registry.Register<RoutesWriter>(system.ActorOf(routes, Routes));
        });

    private static AkkaConfigurationBuilder AddClusteredWriters(this AkkaConfigurationBuilder builder) =>
        builder
            .WithActors((system, registry) =>
                registry.Register<ChangeFeedActor>(system.ActorOf(ChangeFeedActor.Props(registry.Get<DesiredStateActor>()), "change-feed")))
            .WithShardRegion<BackendRegion>(BackendShards.TypeName,
                (_, registry, _) => name => ShardedBackendProps(name, registry.Get<ChangeFeedActor>()),
                BackendShards.Instance, new ShardOptions
                {
                    StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData, RememberEntities = false, HandOffStopMessage = MovingWriterStop,
                })
            .WithSingleton<RoutesSingletonManager>(GatewayNames.RoutesSingleton,
                (_, registry, _) => WriterGateActor.Props(RoutesActor.Props(registry.Get<ChangeFeedActor>()), RoutesActor.Id),
                new ClusterSingletonOptions { TerminationMessage = MovingWriterStop }, createProxyToo: false)
            .WithActors((system, registry) =>
            {
                registry.Register<BackendWriters>(system.ActorOf(BackendIngressActor.Props(registry.Get<BackendRegion>()), BackendIngressActor.Name));
                // Akka.Hosting names the singleton after its manager: /user/routes-writer/routes-writer
                var proxy = ClusterSingletonProxy.Props($"/user/{GatewayNames.RoutesSingleton}",
                    ClusterSingletonProxySettings.Create(system).WithSingletonName(GatewayNames.RoutesSingleton));
                registry.Register<RoutesWriter>(system.ActorOf(proxy, Routes));
            });
}
