using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Actors.Backends;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;

namespace Gateway.Actors.DesiredState;

/// <summary>
/// The catch-up path of a node's desired state: it follows the journal's <c>gateway</c> tag live,
/// from the offset the backend catalog read up to, and tells the desired-state view every backend
/// change it reads. Whatever the fast path (the writers' own reports) missed — a node that joined
/// late, restarted, or was cut off — arrives here within the read journal's <c>refresh-interval</c>;
/// what the fast path already brought is ignored by the view (same version). A route event says
/// only that the routes moved, so the routes' writer is asked for them, once at a time.
/// A read that fails (the database is down) is logged and resumed from the last offset read, with
/// backoff. States: waiting for the journal → waiting for the catalog's offset → following ⇄ paused.
/// </summary>
public sealed class JournalTailActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Where the tail is: the last offset read, the newest routes' version read, whether the routes'
    /// writer was asked for them and has not answered, and the reads that failed in a row.
    /// </summary>
    public sealed record Position(long Offset, long RoutesVersion, bool AskingRoutes, int Failures)
    {
        public static readonly Position Start = new(0, 0, false, 0);

        /// <summary>After an event read at <paramref name="offset"/>: the offset moves on, and a read that works again clears the failures.</summary>
        public Position Read(long offset) => this with { Offset = Math.Max(Offset, offset), Failures = 0 };

        /// <summary>A route event at <paramref name="version"/> was read: the routes must be asked for, unless a question is out.</summary>
        public (Position Next, bool Ask) RoutesMoved(long version) =>
            version <= RoutesVersion ? (this, false) : (this with { RoutesVersion = version, AskingRoutes = true }, !AskingRoutes);

        /// <summary>The writer answered with the routes at <paramref name="version"/>: ask again if newer ones were read meanwhile.</summary>
        public (Position Next, bool Ask) RoutesAnswered(long version) =>
            version < RoutesVersion ? (this, true) : (this with { AskingRoutes = false }, false);

        /// <summary>
        /// The wait before reading again after <see cref="Failures"/> failures: 0.5 s doubling to 5 s. The tail is
        /// how a node catches up what the fast path missed, so a database back from an outage is read again within
        /// seconds (at 30 s a node could wait half a minute for what it missed); a failed read costs one failed connect.
        /// </summary>
        public TimeSpan Backoff => TimeSpan.FromTicks(Math.Min(MinRetry.Ticks << Math.Min(Failures - 1, 6), MaxRetry.Ticks));
    }

    /// <summary>Asks where the tail is; replies <see cref="Position"/>.</summary>
    public sealed class GetPosition
    {
        public static readonly GetPosition Instance = new();
    }

    private sealed class StreamStarted
    {
        public static readonly StreamStarted Instance = new();
    }

    private sealed class Ack
    {
        public static readonly Ack Instance = new();
    }

    private sealed class StreamEnded
    {
        public static readonly StreamEnded Instance = new();
    }

    private sealed record StreamFailed(Exception Cause, int Generation);

    private sealed record Resume(int Generation);

    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(500), MaxRetry = TimeSpan.FromSeconds(5);

    /// <summary>At most this many events in one message to the tail.</summary>
    private const int MaxBatch = 500;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _journal;
    private readonly ICanTell _catalog;
    private readonly IActorRef _desiredState;
    private readonly ICanTell _routesWriter;
    private IEventsByTagQuery? _query;
    private UniqueKillSwitch? _stream;
    private Position _position = Position.Start;

    /// <summary>Each run of the stream: messages from an earlier run (its failure, its last events) are recognised and dropped.</summary>
    private int _generation;

    /// <param name="journal">The <see cref="JournalReadinessActor"/>, which hands over the read journal.</param>
    /// <param name="catalog">The <see cref="BackendCatalogActor"/>: the tail starts where it read up to.</param>
    /// <param name="desiredState">The node's <see cref="DesiredStateActor"/>.</param>
    /// <param name="routesWriter">The routes' writer, asked for the routes when a route event is read.</param>
    public JournalTailActor(IActorRef journal, ICanTell catalog, IActorRef desiredState, ICanTell routesWriter)
    {
        _journal = journal;
        _catalog = catalog;
        _desiredState = desiredState;
        _routesWriter = routesWriter;
        WaitingForJournal();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef journal, ICanTell catalog, IActorRef desiredState, ICanTell routesWriter) =>
        Akka.Actor.Props.Create(() => new JournalTailActor(journal, catalog, desiredState, routesWriter));

    protected override void PreStart() => _journal.Tell(JournalReadinessActor.AwaitJournal.Instance);

    protected override void PostStop() => _stream?.Shutdown();

    private void WaitingForJournal()
    {
        Receive<GetPosition>(_ => Sender.Tell(_position));
        Receive<JournalReadinessActor.JournalAvailable>(available =>
        {
            _query = (IEventsByTagQuery)available.ReadJournal;
            _catalog.Tell(BackendCatalogActor.GetCatalog.Instance, Self);
            Become(WaitingForCatalog);
        });
    }

    private void WaitingForCatalog()
    {
        Receive<GetPosition>(_ => Sender.Tell(_position));
        Receive<BackendCatalogActor.Catalog>(catalog =>
        {
            var query = Context.System.Settings.Config.GetConfig("akka.persistence.query.journal.sql");
            _log.Info("Following the journal's [{Tag}] tag from offset [{Offset}], polling every [{RefreshInterval}] and for ordering gaps every [{QueryDelay}]",
                BackendActor.Tag, catalog.Offset, query.GetTimeSpan("refresh-interval"), query.GetTimeSpan("journal-sequence-retrieval.query-delay"));
            Follow(Position.Start with { Offset = catalog.Offset });
        });
    }

    private void Follow(Position position)
    {
        _position = position;
        var generation = ++_generation;
        // events read while the last ones are handled go over as one message and one ack, not one each: every
        // node reads every change here, so under a stream of changes the per-event hops add up on every node
        var (killSwitch, _) = _query!.EventsByTag(BackendActor.Tag, position.Offset == 0 ? Offset.NoOffset() : Offset.Sequence(position.Offset))
            .Batch(MaxBatch, envelope => new List<EventEnvelope> { envelope }, (batch, envelope) =>
            {
                batch.Add(envelope);
                return batch;
            })
            .ViaMaterialized(KillSwitches.Single<List<EventEnvelope>>(), Keep.Right)
            .ToMaterialized(Sink.ActorRefWithAck<List<EventEnvelope>>(Self, StreamStarted.Instance, Ack.Instance, StreamEnded.Instance,
                cause => new StreamFailed(cause, generation)), Keep.Both)
            .Run(Context.System.Materializer());
        _stream = killSwitch;
        Become(Following);
    }

    private void Following()
    {
        Receive<GetPosition>(_ => Sender.Tell(_position));
        Receive<StreamStarted>(_ => Sender.Tell(Ack.Instance));
        Receive<List<EventEnvelope>>(batch =>
        {
            foreach (var envelope in batch)
            {
                if (envelope.Offset is Sequence sequence)
                    _position = _position.Read(sequence.Value);
                if (TaggedEvents.Backend(envelope) is { } entry)
                    _desiredState.Tell(new BackendStateChanged(entry.Name, entry.Version, entry.Backend, entry.Source));
                else if (TaggedEvents.RoutesVersion(envelope) is { } version)
                    AskForRoutesIf(_position.RoutesMoved(version));
            }
            Sender.Tell(Ack.Instance);
        });
        Receive<RoutesList>(list =>
        {
            _desiredState.Tell(new RoutesStateChanged(list.Version, list.Routes));
            AskForRoutesIf(_position.RoutesAnswered(list.Version));
        });
        Receive<NotStored>(_ => _position = _position with { AskingRoutes = false }); // the writer is down: the next route event asks again
        Receive<StreamFailed>(failed => failed.Generation == _generation, failed => Paused(failed.Cause));
        Receive<StreamFailed>(_ => { });
        Receive<StreamEnded>(_ => Paused(new InvalidOperationException("the live query ended")));
    }

    private void AskForRoutesIf((Position Next, bool Ask) decision)
    {
        _position = decision.Next;
        if (decision.Ask)
            _routesWriter.Tell(GetRoutes.Instance, Self);
    }

    private void Paused(Exception cause)
    {
        _stream = null;
        var position = _position = _position with { Failures = _position.Failures + 1, AskingRoutes = false };
        var delay = position.Backoff;
        _log.Warning("Could not read the journal's [{Tag}] tag after offset [{Offset}]: {Error}; attempt [{Attempt}] failed, reading again in [{Seconds:0.#}] s",
            BackendActor.Tag, position.Offset, cause.GetBaseException().Message, position.Failures, delay.TotalSeconds);
        Timers.StartSingleTimer(nameof(Resume), new Resume(_generation), delay);
        Become(() =>
        {
            Receive<GetPosition>(_ => Sender.Tell(_position));
            Receive<Resume>(_ => Follow(_position));
            Receive<RoutesList>(list => _desiredState.Tell(new RoutesStateChanged(list.Version, list.Routes)));
            Receive<NotStored>(_ => { });
            Receive<StreamFailed>(_ => { });
            Receive<StreamEnded>(_ => { });
            Receive<List<EventEnvelope>>(_ => Sender.Tell(Ack.Instance)); // a failed run's last events: read again on resume
        });
    }
}

/// <summary>Akka.Hosting registration of <see cref="JournalTailActor"/>.</summary>
public static class JournalTailActorHosting
{
    /// <summary>Registers the tail (after the journal, the catalog and the desired state): a node in a cluster, where other nodes write too, needs it.</summary>
    public static AkkaConfigurationBuilder AddJournalTail(this AkkaConfigurationBuilder builder, string routesWriterPath) =>
        builder.WithActors((system, registry) => registry.Register<JournalTailActor>(system.ActorOf(JournalTailActor.Props(
            registry.Get<JournalReadinessActor>(), registry.Get<BackendCatalogActor>(), registry.Get<DesiredStateActor>(),
            system.ActorSelection(routesWriterPath)), "journal-tail")));
}
