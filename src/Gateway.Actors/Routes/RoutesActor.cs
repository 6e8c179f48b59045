using Akka.Hosting;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Routes;

/// <summary>
/// The single writer of all routes (persistence id <c>routes</c>): the seed's AddBackendRoute and
/// its inverse, validated, persisted as tagged events, snapshotted every
/// <see cref="SnapshotEvery"/> events, and reported to the node's desired-state view.
/// </summary>
public sealed class RoutesActor : ReceivePersistentActor
{
    public const string Id = "routes";
    public const int SnapshotEvery = 100;

    public static readonly IReadOnlySet<string> Tags = Backends.BackendActor.Tags;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _desiredState;
    private RoutesState _state = RoutesState.Empty;
    private IActorRef? _inFlight;

    public RoutesActor(IActorRef desiredState)
    {
        _desiredState = desiredState;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is RoutesSnapshot snapshot)
                _state = RoutesState.FromSnapshot(snapshot);
        });
        Recover<IRouteEvent>(evt => _state = _state.Apply(evt));
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("Recovered [{0}] routes at version [{1}]", _state.Routes.Count, LastSequenceNr);
            Publish();
        });

        Command<SetRoute>(command => Handle(_state.Process(command, LastSequenceNr)));
        Command<RemoveRoute>(command => Handle(_state.Process(command, LastSequenceNr)));
        Command<GetRoutes>(_ => Sender.Tell(new RoutesList(LastSequenceNr, _state.List)));
        Command<SaveSnapshotSuccess>(success => DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => _log.Warning("Snapshot of routes failed: {0}", failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning("Deleting old route snapshots failed: {0}", failure.Cause.Message));
    }

    public override string PersistenceId => Id;

    public static Props Props(IActorRef desiredState) => Akka.Actor.Props.Create(() => new RoutesActor(desiredState));

    private void Handle((object Reply, IRouteEvent? Event) decision)
    {
        var (reply, evt) = decision;
        if (evt is null)
        {
            if (reply is RouteRejected rejected)
                _log.Warning("Route refused: {0}", string.Join("; ", rejected.Errors));
            Sender.Tell(reply);
            return;
        }
        _inFlight = Sender;
        Persist(new Tagged(evt, Tags), _ =>
        {
            _state = _state.Apply(evt);
            _log.Info("Routes at version [{0}]: {1}", LastSequenceNr, evt switch
            {
                RouteSet set => $"{set.Route.Key} → {set.Route.Backend} (from {set.Source})",
                RouteRemoved removed => $"{new Gateway.Shared.Model.RouteKey(removed.Host, removed.Path)} removed (by {removed.Source})",
                _ => evt.GetType().Name,
            });
            _inFlight.Tell(reply);
            _inFlight = null;
            Publish();
            if (LastSequenceNr % SnapshotEvery == 0)
                SaveSnapshot(_state.ToSnapshot());
        });
    }

    private void Publish() => _desiredState.Tell(new RoutesStateChanged(LastSequenceNr, _state.List));

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Journal rejected route event [{0}]", sequenceNr);
        _inFlight?.Tell(new Status.Failure(cause));
        _inFlight = null;
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Could not store route event [{0}]; stopping so the next message recovers from the journal", sequenceNr);
        _inFlight?.Tell(new Status.Failure(cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}

/// <summary>Akka.Hosting registration of <see cref="RoutesActor"/>, under a backoff supervisor that starts it again if the journal fails.</summary>
public static class RoutesActorHosting
{
    public static AkkaConfigurationBuilder AddRoutes(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var routes = RoutesActor.Props(registry.Get<DesiredState.DesiredStateActor>());
            var supervised = Akka.Pattern.BackoffSupervisor.Props(
                Akka.Pattern.Backoff.OnStop(routes, "routes", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1));
            registry.Register<RoutesActor>(system.ActorOf(supervised, "routes-supervisor"));
        });
}
