using Akka.Actor;
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

/// <summary>Akka.Hosting registration of <see cref="ProvidersActor"/> (registered even with no provider, for the status).</summary>
public static class ProvidersActorHosting
{
    public static AkkaConfigurationBuilder AddProviders(this AkkaConfigurationBuilder builder,
        IReadOnlyList<(string Name, IBackendProvider Provider)> providers, int channelSize) =>
        builder.WithActors((system, registry) =>
        {
            var manager = registry.Get<Cluster.BackendWriters>();
            var desired = registry.Get<DesiredState.DesiredStateActor>();
            registry.Register<ProvidersActor>(system.ActorOf(ProvidersActor.Props(providers, manager, desired, channelSize), "providers"));
        });
}
