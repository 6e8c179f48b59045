using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Backends;

/// <summary>
/// The single writer of one backend (persistence id <c>backend-&lt;name&gt;</c>): validates,
/// persists small past-tense events tagged for the gateway-wide history, ignores an update equal
/// to its state, snapshots every <see cref="SnapshotEvery"/> events, and reports each new desired
/// state (and its recovered state) to <c>changes</c>: the node's desired-state view on a node alone,
/// the change feed to every node in a cluster. Bad input is answered with the fields named; the
/// actor keeps running.
/// <para>
/// Its parent holds commands while it reads its journal and while it stops after a journal failure:
/// <see cref="BackendManagerActor"/> on a node alone, a <see cref="WriterGateActor"/> (the shard's
/// entity) in a cluster. It tells its parent when it is ready, when it stops on a journal failure, and
/// when it recovered as deleted (<see cref="WriterIdle"/>: nothing to keep it for).
/// </para>
/// </summary>
public sealed class BackendActor : ReceivePersistentActor
{
    public const string PersistencePrefix = "backend-";

    public const int SnapshotEvery = 100;

    /// <summary>
    /// Journal tag of every Gateway event: the whole history reads in order with one tag query.
    /// One tag, not one per kind: the event type already tells the kind.
    /// </summary>
    public static readonly IReadOnlySet<string> Tags = new HashSet<string> { Tag };

    /// <summary>The one tag of every Gateway event.</summary>
    public const string Tag = "gateway";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _changes;
    private BackendState _state;
    private IActorRef? _inFlight;

    /// <param name="changes">Where each new state is reported.</param>
    public BackendActor(string name, IActorRef changes)
    {
        _state = BackendState.Empty(name);
        _changes = changes;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is BackendSnapshot snapshot)
                _state = BackendState.FromSnapshot(name, snapshot);
        });
        Recover<IBackendEvent>(evt => _state = _state.Apply(evt));
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Debug("Backend [{Backend}] recovered at version [{Version}] (exists: {Exists})", name, LastSequenceNr, _state.Exists);
            Publish();
            Context.Parent.Tell(new WriterReady(name));
            if (!_state.Exists)
                Context.Parent.Tell(new WriterIdle(name));
        });

        Command<StopIfIdle>(_ =>
        {
            // Commands wait while an event is being persisted, so this runs after any change sent before it.
            if (_state.Exists)
                Context.Parent.Tell(new WriterStillNeeded(name));
            else
                Context.Stop(Self);
        });
        Command<StopAfterWrites>(_ => Context.Stop(Self)); // after the write in flight, as StopIfIdle
        Command<UpsertBackend>(command => Handle(_state.Process(command, LastSequenceNr)));
        Command<RemoveBackend>(command => Handle(_state.Process(command, LastSequenceNr)));
        Command<SaveSnapshotSuccess>(success =>
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => _log.Warning("Snapshot of backend [{Backend}] failed: {Error}", name, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning("Deleting old snapshots of backend [{Backend}] failed: {Error}", name, failure.Cause.Message));
    }

    public override string PersistenceId => PersistencePrefix + _state.Name;

    public static Props Props(string name, IActorRef changes) => Akka.Actor.Props.Create(() => new BackendActor(name, changes));

    private void Handle((object Reply, IBackendEvent? Event) decision)
    {
        var (reply, evt) = decision;
        if (evt is null)
        {
            if (reply is BackendRejected rejected)
                _log.Debug("Backend [{Backend}] refused: {Errors}", _state.Name, string.Join("; ", rejected.Errors));
            Sender.Tell(reply);
            return;
        }
        var sender = _inFlight = Sender;
        Persist(new Tagged(evt, Tags), _ =>
        {
            _inFlight = null;
            _state = _state.Apply(evt);
            _log.Debug("Backend [{Backend}] is at version [{Version}] after {Event} from [{Source}]", _state.Name, LastSequenceNr, evt.GetType().Name, evt.Source);
            sender.Tell(reply);
            Publish();
            if (LastSequenceNr % SnapshotEvery == 0)
                SaveSnapshot(_state.ToSnapshot());
        });
    }

    private void Publish() => _changes.Tell(new BackendStateChanged(_state.Name, LastSequenceNr, _state.Backend, _state.Source));

    /// <summary>The journal refused the event (serialization, constraint): the change is not stored, the actor goes on.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Journal rejected event [{SequenceNr}] of backend [{Backend}]", sequenceNr, _state.Name);
        _inFlight?.Tell(new NotStored(JournalFailure.Describe(cause, "the journal refused the change")));
        _inFlight = null;
    }

    /// <summary>
    /// The journal could not be written: the actor stops (whether the write landed is unknown) and its
    /// parent holds what comes meanwhile for its next incarnation, which recovers from the journal.
    /// </summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        var reason = JournalFailure.Describe(cause);
        WriterFailureLog.For(Context.System).WriteFailed(_log, PersistenceId, sequenceNr, reason);
        _inFlight?.Tell(new NotStored(reason));
        Context.Parent.Tell(new WriterStopping(_state.Name, reason, WasReady: true));
        // Akka stops the actor after this; its own error line (with the stack) would repeat this one
    }

    /// <summary>The journal could not be read: the actor stops, and its parent answers what waited for it.</summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var failure = JournalFailure.Describe(reason, "the journal could not be read");
        Context.Parent.Tell(new WriterStopping(_state.Name, failure, WasReady: false));
        WriterFailureLog.For(Context.System).RecoveryFailed(_log, PersistenceId, failure); // Akka stops the actor after this
    }
}
