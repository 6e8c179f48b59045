using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Gateway.Actors.Persistence;
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

    /// <summary>Removes every route that <paramref name="Source"/> set (the demo's, when the demo is off). Replies <see cref="RoutesRemoved"/>.</summary>
    public sealed record RemoveRoutesFrom(string Source, string By);

    /// <summary><paramref name="Count"/> routes removed; the routes are at <paramref name="Version"/>.</summary>
    public sealed record RoutesRemoved(int Count, long Version);

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
            _log.Info("Recovered [{Routes}] routes at version [{Version}]", _state.Routes.Count, LastSequenceNr);
            Publish();
            Context.Parent.Tell(new WriterReady(Id));
        });

        Command<StopAfterWrites>(_ => Context.Stop(Self)); // commands wait while events are persisted: this runs after them
        Command<SetRoute>(command => Handle(_state.Process(command, LastSequenceNr)));
        Command<RemoveRoute>(command => Handle(_state.Process(command, LastSequenceNr)));
        Command<RemoveRoutesFrom>(command =>
        {
            var events = _state.RemoveAllFrom(command.Source, command.By);
            if (events.Count == 0)
            {
                Sender.Tell(new RoutesRemoved(0, LastSequenceNr));
                return;
            }
            _inFlight = Sender;
            PersistAll(events.Select(e => new Tagged(e, Tags)), tagged =>
            {
                var evt = (IRouteEvent)tagged.Payload;
                _state = _state.Apply(evt);
                if (evt != events[^1])
                    return;
                _log.Info("Routes at version [{Version}]: [{Count}] routes from [{Source}] removed (by {By})", LastSequenceNr, events.Count, command.Source, command.By);
                _inFlight.Tell(new RoutesRemoved(events.Count, LastSequenceNr));
                _inFlight = null;
                Publish();
                SnapshotIfDue(events.Count);
            });
        });
        Command<GetRoutes>(_ => Sender.Tell(new RoutesList(LastSequenceNr, _state.List)));
        Command<SaveSnapshotSuccess>(success => DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => _log.Warning("Snapshot of routes failed: {Error}", failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning("Deleting old route snapshots failed: {Error}", failure.Cause.Message));
    }

    public override string PersistenceId => Id;

    public static Props Props(IActorRef desiredState) => Akka.Actor.Props.Create(() => new RoutesActor(desiredState));

    private void Handle((object Reply, IRouteEvent? Event) decision)
    {
        var (reply, evt) = decision;
        if (evt is null)
        {
            if (reply is RouteRejected rejected)
                _log.Debug("Route refused: {Errors}", string.Join("; ", rejected.Errors));
            Sender.Tell(reply);
            return;
        }
        _inFlight = Sender;
        Persist(new Tagged(evt, Tags), _ =>
        {
            _state = _state.Apply(evt);
            _log.Info("Routes at version [{Version}]: {Change}", LastSequenceNr, evt switch
            {
                RouteSet set => $"{set.Route.Key} → {set.Route.Backend} (from {set.Source})",
                RouteRemoved removed => $"{new Gateway.Shared.Model.RouteKey(removed.Host, removed.Path)} removed (by {removed.Source})",
                _ => evt.GetType().Name,
            });
            _inFlight.Tell(reply);
            _inFlight = null;
            Publish();
            SnapshotIfDue(1);
        });
    }

    /// <summary>A snapshot every <see cref="SnapshotEvery"/> events: when the last <paramref name="written"/> events crossed a multiple.</summary>
    private void SnapshotIfDue(int written)
    {
        if (LastSequenceNr / SnapshotEvery != (LastSequenceNr - written) / SnapshotEvery)
            SaveSnapshot(_state.ToSnapshot());
    }

    private void Publish() => _desiredState.Tell(new RoutesStateChanged(LastSequenceNr, _state.List));

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Journal rejected route event [{SequenceNr}]", sequenceNr);
        _inFlight?.Tell(new NotStored(JournalFailure.Describe(cause, "the journal refused the change")));
        _inFlight = null;
    }

    /// <summary>The journal could not be written: the actor stops (whether the write landed is unknown); its gate holds what comes meanwhile and starts it again.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        var reason = JournalFailure.Describe(cause);
        WriterFailureLog.For(Context.System).WriteFailed(_log, PersistenceId, sequenceNr, reason);
        _inFlight?.Tell(new NotStored(reason));
        _inFlight = null;
        Context.Parent.Tell(new WriterStopping(Id, reason, WasReady: true));
        // Akka stops the actor after this; its own error line (with the stack) would repeat this one
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var failure = JournalFailure.Describe(reason, "the journal could not be read");
        Context.Parent.Tell(new WriterStopping(Id, failure, WasReady: false));
        WriterFailureLog.For(Context.System).RecoveryFailed(_log, PersistenceId, failure); // Akka stops the actor after this
    }
}
