using Akka.Hosting;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Backends;
using Gateway.Actors.Health;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.DesiredState;

/// <summary>
/// This node's view of the desired state: the newest version of every backend and of the routes.
/// It starts from the journal — the backend catalog (every backend folded from the <c>gateway</c>
/// tag) and the routes' writer — and then takes each change its writers report, in any order and
/// any number of times: the higher version wins. It answers reads (the admin API's GETs) and feeds
/// its subscribers — the node's HAProxy sync — with a snapshot on subscribe and every change after.
/// States: recovering (until the catalog and the routes are in) → serving.
/// </summary>
public sealed class DesiredStateActor : ReceiveActor, IWithTimers
{
    /// <summary>Subscribe to the desired state: a <see cref="Snapshot"/> now, then each change.</summary>
    public sealed record Subscribe(IActorRef Subscriber);

    /// <summary>The whole desired state, and whether it is complete (recovered).</summary>
    public sealed record Snapshot(
        ImmutableDictionary<string, VersionedBackend> Backends, long RoutesVersion, IReadOnlyList<Route> Routes, bool Recovered);

    /// <summary>Sent to subscribers once the recovered state is complete.</summary>
    public sealed record Recovered(Snapshot State);

    /// <summary>What recovery still waits for, since when, and when that was last said.</summary>
    private sealed record Recovery(bool CatalogIn, bool RoutesIn, DateTime Since, DateTime LastSaid)
    {
        public bool Complete => CatalogIn && RoutesIn;

        /// <summary>Every <see cref="LogEvery"/>, the log says what recovery waits for.</summary>
        public bool DueToSay(DateTime now) => now - LastSaid >= LogEvery;

        public string Describe() => (CatalogIn, RoutesIn) switch
        {
            (false, false) => "the backend catalog, which reads the journal's history, and the routes",
            (false, _) => "the backend catalog, which reads the journal's history",
            _ => "the routes",
        };
    }

    private sealed class AskAgain
    {
        public static readonly AskAgain Instance = new();
    }

    /// <summary>
    /// How often the routes are asked again: the routes' writer may not exist yet when the view
    /// starts (it is made after the view; in a cluster its singleton proxy needs the cluster formed),
    /// or it restarted after a journal outage and lost the question.
    /// </summary>
    private static readonly TimeSpan Reminder = TimeSpan.FromSeconds(1);

    /// <summary>How often the catalog is asked again (it answers everyone who asked once it has read the journal) and the wait is logged.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ICanTell? _catalog;
    private readonly ICanTell? _routesWriter;
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, VersionedBackend> _backends = ImmutableDictionary.Create<string, VersionedBackend>(StringComparer.Ordinal);
    private (long Version, IReadOnlyList<Route> Routes)? _routes;

    /// <param name="catalog">The <see cref="BackendCatalogActor"/>, asked once at start; without one, the catalog is told.</param>
    /// <param name="routesWriter">
    /// The routes' writer, asked for its routes at start; without one, they are told. A selection
    /// by path, as the writer reports to this view: neither needs the other made first.
    /// </param>
    public DesiredStateActor(ICanTell? catalog, ICanTell? routesWriter)
    {
        _catalog = catalog;
        _routesWriter = routesWriter;
        Recovering(new Recovery(CatalogIn: false, RoutesIn: false, NodeClock.Machine.UtcNow, NodeClock.Machine.UtcNow));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ICanTell? catalog = null, ICanTell? routesWriter = null) =>
        Akka.Actor.Props.Create(() => new DesiredStateActor(catalog, routesWriter));

    protected override void PreStart()
    {
        _catalog?.Tell(BackendCatalogActor.GetCatalog.Instance, Self);
        _routesWriter?.Tell(GetRoutes.Instance, Self);
        Timers.StartPeriodicTimer(nameof(AskAgain), AskAgain.Instance, Reminder);
    }

    private void Recovering(Recovery recovery)
    {
        Become(() =>
        {
            Receive<BackendCatalogActor.Catalog>(catalog =>
            {
                foreach (var entry in catalog.Backends)
                    Take(new BackendStateChanged(entry.Name, entry.Version, entry.Backend, entry.Source));
                _log.Info("Desired state: [{Backends}] backends from the catalog, read from the journal up to offset [{Offset}]", catalog.Backends.Count, catalog.Offset);
                Continue(recovery with { CatalogIn = true });
            });
            Receive<RoutesList>(list =>
            {
                Take(new RoutesStateChanged(list.Version, list.Routes));
                Continue(recovery with { RoutesIn = true });
            });
            Receive<RoutesStateChanged>(changed =>
            {
                Take(changed);
                Continue(recovery with { RoutesIn = true });
            });
            Receive<AskAgain>(_ =>
            {
                if (!recovery.RoutesIn)
                    _routesWriter?.Tell(GetRoutes.Instance, Self);
                var now = NodeClock.Machine.UtcNow;
                if (!recovery.DueToSay(now))
                    return;
                _log.Info("Desired state waits for {WaitingFor} ([{Seconds:0}] s so far)", recovery.Describe(), (now - recovery.Since).TotalSeconds);
                if (!recovery.CatalogIn)
                    _catalog?.Tell(BackendCatalogActor.GetCatalog.Instance, Self);
                Recovering(recovery with { LastSaid = now });
            });
            Receive<NotStored>(_ => { }); // the routes' writer could not read its journal in time: asked again
            Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus("desired state", recovery.Describe())));
            Changes(recovered: false);
        });
    }

    private void Continue(Recovery recovery)
    {
        if (!recovery.Complete)
        {
            Recovering(recovery);
            return;
        }
        Timers.Cancel(nameof(AskAgain));
        _log.Info("Desired state recovered: [{Backends}] backends, [{Routes}] routes at version [{Version}]", _backends.Count, _routes!.Value.Routes.Count, _routes.Value.Version);
        Become(Serving);
        var snapshot = CurrentSnapshot(recovered: true);
        foreach (var subscriber in _subscribers)
            subscriber.Tell(new Recovered(snapshot));
    }

    private void Serving()
    {
        Changes(recovered: true);
        Receive<RoutesStateChanged>(Take);
        Receive<RoutesList>(list => Take(new RoutesStateChanged(list.Version, list.Routes))); // an answer to a reminder
        Receive<BackendCatalogActor.Catalog>(_ => { }); // an answer to a reminder that crossed the first one
        Receive<AskAgain>(_ => { });
        Receive<NotStored>(_ => { });
        Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus("desired state", null)));
    }

    /// <summary>What every state takes: backends' changes, subscribers and reads.</summary>
    private void Changes(bool recovered)
    {
        Receive<BackendStateChanged>(Take);
        Receive<Subscribe>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
            subscribe.Subscriber.Tell(CurrentSnapshot(recovered));
        });
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
        Receive<GetBackends>(_ => Sender.Tell(new BackendsList(
            _backends.Values.OrderBy(b => b.Backend.Name, StringComparer.Ordinal).ToList(), recovered)));
        Receive<GetBackend>(get => Sender.Tell(_backends.TryGetValue(get.BackendName, out var backend)
            ? new BackendFound(backend)
            : new BackendNotFound(get.BackendName)));
        // Reads need no writer: the routes answer here even while their writer waits for the journal.
        Receive<GetRoutes>(_ => Sender.Tell(new RoutesList(_routes?.Version ?? 0, _routes?.Routes ?? [])));
    }

    /// <summary>A backend at a version: kept only if newer than what is known, and passed on to subscribers.</summary>
    private void Take(BackendStateChanged changed)
    {
        if (_versions.TryGetValue(changed.BackendName, out var known) && known >= changed.Version && changed.Version > 0)
            return; // an older or repeated report
        _versions[changed.BackendName] = changed.Version;
        _backends = changed.Backend is null
            ? _backends.Remove(changed.BackendName)
            : _backends.SetItem(changed.BackendName, new VersionedBackend(changed.Backend, changed.Version, changed.Source));
        foreach (var subscriber in _subscribers)
            subscriber.Tell(changed);
    }

    private void Take(RoutesStateChanged changed)
    {
        if (_routes is { } known && known.Version >= changed.Version)
            return;
        _routes = (changed.Version, changed.Routes);
        foreach (var subscriber in _subscribers)
            subscriber.Tell(changed);
    }

    private Snapshot CurrentSnapshot(bool recovered) => new(_backends, _routes?.Version ?? 0, _routes?.Routes ?? [], recovered);
}

/// <summary>Akka.Hosting registration of <see cref="DesiredStateActor"/>.</summary>
public static class DesiredStateActorHosting
{
    /// <summary>Registers the view; it asks the catalog (registered before it) and the routes' writer (at <paramref name="routesWriterPath"/>) at start.</summary>
    public static AkkaConfigurationBuilder AddDesiredState(this AkkaConfigurationBuilder builder, string routesWriterPath) =>
        builder.WithActors((system, registry) => registry.Register<DesiredStateActor>(system.ActorOf(
            DesiredStateActor.Props(registry.Get<BackendCatalogActor>(), system.ActorSelection(routesWriterPath)), "desired-state")));
}
