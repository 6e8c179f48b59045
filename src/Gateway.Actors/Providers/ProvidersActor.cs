using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Gateway.Shared.Messages;
using Gateway.Shared.Providers;

namespace Gateway.Actors.Providers;

/// <summary>
/// The node's providers: one <see cref="ProviderActor"/> child per configured provider, and the
/// health each of them reports, so <c>/api/status</c> shows a failing source without the log.
/// Answers <see cref="GetProvidersStatus"/> with <see cref="ProvidersStatus"/>, in configured order.
/// </summary>
public sealed class ProvidersActor : ReceiveActor
{
    private readonly Dictionary<string, ProviderStatus> _statuses = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public ProvidersActor(IReadOnlyList<(string Name, IBackendProvider Provider)> providers, IActorRef manager, IActorRef desiredState,
        int channelSize, ProviderBackoff backoff)
    {
        foreach (var (name, provider) in providers)
        {
            // known before its child first reports, so the status lists every provider from the start
            _statuses[name] = ProviderStatuses.New(name, provider.GetType().Name);
            _order.Add(name);
            Context.ActorOf(ProviderActor.Props(name, provider, manager, desiredState, channelSize, backoff), $"provider-{name}");
        }

        Receive<ProviderStatus>(status =>
        {
            if (_statuses.ContainsKey(status.Name))
                _statuses[status.Name] = status;
        });
        Receive<GetProvidersStatus>(_ => Sender.Tell(new ProvidersStatus(_order.Select(name => _statuses[name]).ToList())));
    }

    public static Props Props(IReadOnlyList<(string Name, IBackendProvider Provider)> providers, IActorRef manager, IActorRef desiredState,
        int channelSize, ProviderBackoff? backoff = null) =>
        Akka.Actor.Props.Create(() => new ProvidersActor(providers, manager, desiredState, channelSize, backoff ?? ProviderBackoff.Default));
}

/// <summary>
/// Akka.Hosting registration of <see cref="ProvidersActor"/> (registered even with no provider, for the
/// status). In a cluster the providers run once, on one node, as a singleton: a REST source is
/// polled once, not once per node, and when that node goes the singleton starts on the next oldest,
/// each provider seeded from the desired state as after a restart. (All providers in one singleton:
/// every singleton runs on the oldest node anyway, and each provider is a child of its own.)
/// </summary>
public static class ProvidersActorHosting
{
    public static AkkaConfigurationBuilder AddProviders(this AkkaConfigurationBuilder builder,
        IReadOnlyList<(string Name, IBackendProvider Provider)> providers, int channelSize, bool clustered)
    {
        Props Create(IActorRegistry registry) =>
            ProvidersActor.Props(providers, registry.Get<Cluster.BackendWriters>(), registry.Get<DesiredState.DesiredStateActor>(), channelSize);
        return clustered
            ? builder.WithSingleton<ProvidersActor>(Shared.Sharding.GatewayNames.ProvidersSingleton, (_, registry, _) => Create(registry),
                new ClusterSingletonOptions())
            : builder.WithActors((system, registry) => registry.Register<ProvidersActor>(system.ActorOf(Create(registry), "providers")));
    }
}
