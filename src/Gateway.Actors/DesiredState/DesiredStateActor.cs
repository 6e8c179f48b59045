using Akka.Hosting;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Health;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.DesiredState;

/// <summary>
/// This node's view of the desired state: the newest version of every backend and of the routes,
/// as their single writers report them. It answers reads (the admin API's GETs) and feeds its
/// subscribers — the node's HAProxy sync — with a snapshot on subscribe and every change after.
/// It knows when the state recovered from the journal is complete: every backend the manager
/// expects has reported, and so have the routes.
/// </summary>
public sealed class DesiredStateActor : ReceiveActor
{
    /// <summary>The backends the journal knows; recovery is complete once each has reported.</summary>
    public sealed record ExpectBackends(IReadOnlyList<string> Names);

    /// <summary>Subscribe to the desired state: a <see cref="Snapshot"/> now, then each change.</summary>
    public sealed record Subscribe(IActorRef Subscriber);

    /// <summary>The whole desired state, and whether it is complete (recovered).</summary>
    public sealed record Snapshot(
        ImmutableDictionary<string, VersionedBackend> Backends, long RoutesVersion, IReadOnlyList<Route> Routes, bool Recovered);

    /// <summary>Sent to subscribers once the recovered state is complete.</summary>
    public sealed record Recovered(Snapshot State);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, VersionedBackend> _backends = ImmutableDictionary.Create<string, VersionedBackend>(StringComparer.Ordinal);
    private (long Version, IReadOnlyList<Route> Routes)? _routes;
    private HashSet<string>? _expected;
    private bool _recovered;

    public DesiredStateActor()
    {
        Receive<BackendStateChanged>(changed =>
        {
            if (_versions.TryGetValue(changed.BackendName, out var known) && known >= changed.Version && changed.Version > 0)
                return; // an older or repeated report
            _versions[changed.BackendName] = changed.Version;
            _backends = changed.Backend is null
                ? _backends.Remove(changed.BackendName)
                : _backends.SetItem(changed.BackendName, new VersionedBackend(changed.Backend, changed.Version, changed.Source));
            _expected?.Remove(changed.BackendName);
            foreach (var subscriber in _subscribers)
                subscriber.Tell(changed);
            CheckRecovered();
        });
        Receive<RoutesStateChanged>(changed =>
        {
            if (_routes is { } known && known.Version > changed.Version)
                return;
            _routes = (changed.Version, changed.Routes);
            foreach (var subscriber in _subscribers)
                subscriber.Tell(changed);
            CheckRecovered();
        });
        Receive<ExpectBackends>(expect =>
        {
            _expected = expect.Names.Where(n => !_versions.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
            CheckRecovered();
        });
        Receive<Subscribe>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
            subscribe.Subscriber.Tell(CurrentSnapshot());
        });
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
        Receive<GetBackends>(_ => Sender.Tell(new BackendsList(
            _backends.Values.OrderBy(b => b.Backend.Name, StringComparer.Ordinal).ToList(), _recovered)));
        Receive<GetBackend>(get => Sender.Tell(_backends.TryGetValue(get.BackendName, out var backend)
            ? new BackendFound(backend)
            : new BackendNotFound(get.BackendName)));
        // Reads need no writer: the routes answer here even while their writer waits for the journal.
        Receive<GetRoutes>(_ => Sender.Tell(new RoutesList(_routes?.Version ?? 0, _routes?.Routes ?? [])));
        Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus("desired state", WaitingFor())));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new DesiredStateActor());

    private Snapshot CurrentSnapshot() =>
        new(_backends, _routes?.Version ?? 0, _routes?.Routes ?? [], _recovered);

    /// <summary>What the recovered state still lacks, in words; null once it is complete.</summary>
    private string? WaitingFor()
    {
        if (_recovered)
            return null;
        var missing = new List<string>();
        if (_routes is null)
            missing.Add("the routes");
        if (_expected is { Count: > 0 } expected)
            missing.Add($"{expected.Count} backends to report (e.g. {string.Join(", ", expected.Take(3))})");
        else if (_expected is null)
            missing.Add("the list of backends");
        return string.Join(" and ", missing);
    }

    private void CheckRecovered()
    {
        if (_recovered || _expected is not { Count: 0 } || _routes is null)
            return;
        _recovered = true;
        _log.Info("Desired state recovered: [{Backends}] backends, [{Routes}] routes at version [{Version}]", _backends.Count, _routes.Value.Routes.Count, _routes.Value.Version);
        var snapshot = CurrentSnapshot();
        foreach (var subscriber in _subscribers)
            subscriber.Tell(new Recovered(snapshot));
    }
}

/// <summary>Akka.Hosting registration of <see cref="DesiredStateActor"/>.</summary>
public static class DesiredStateActorHosting
{
    public static AkkaConfigurationBuilder AddDesiredState(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) => registry.Register<DesiredStateActor>(system.ActorOf(DesiredStateActor.Props(), "desired-state")));
}
