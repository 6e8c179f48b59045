using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Backends;

/// <summary>
/// Every backend's latest version and definition, read from the journal, so that a node starting
/// up knows its whole desired state from one snapshot and the events written since, instead of
/// waking every backend actor (about 1.7 ms of CPU each on Akka.Persistence.Sql: 35 s for 10,000).
/// It stores no events, only snapshots (persistence id <c>catalog</c>). A checkpoint reads from its
/// offset and saves what it knows: at start once caught up, when the node stops, and every
/// <c>interval</c> (10 minutes) in case it crashes. On Gateway's journal it reads only the newest
/// event of each backend written since (<see cref="NewestEventsReader"/>); on another journal it
/// folds the <c>gateway</c> tag, deserializing every event (17–40 µs of CPU each in the benches).
/// <para>
/// Events carry a backend's whole definition, so the newest event of a backend is its state; folding
/// keeps the higher version and can see an event twice. The offset only moves past events older
/// than <c>settle</c>: a write that commits after a later one (parallel writers on PostgreSQL)
/// is not skipped. A read that fails at start is tried again with backoff: whoever waits for the
/// catalog keeps waiting rather than being told a half-read one.
/// </para>
/// States: waiting for the journal → folding (not yet caught up) → idle ⇄ folding → saving.
/// </summary>
public sealed class BackendCatalogActor : ReceivePersistentActor, IWithTimers
{
    public const string Id = "catalog";

    /// <summary>Asks for the catalog; answered with <see cref="Catalog"/> once it has caught up with the journal.</summary>
    public sealed class GetCatalog
    {
        public static readonly GetCatalog Instance = new();
    }

    /// <summary>Every backend, and the journal offset up to which the tag was read (a live tail goes on from there).</summary>
    public sealed record Catalog(IReadOnlyList<CatalogEntry> Backends, long Offset);

    /// <summary>Read the tag from the offset and save a snapshot now (the timer sends it too).</summary>
    public sealed class Checkpoint
    {
        public static readonly Checkpoint Instance = new();
    }

    /// <summary>The checkpoint saved (or had nothing to save): for tests and logs.</summary>
    public sealed record CheckpointDone(long Offset, int Backends);

    private sealed class RetryFold
    {
        public static readonly RetryFold Instance = new();
    }

    private const string CheckpointTimer = "checkpoint", RetryTimer = "retry-fold";
    private static readonly TimeSpan MinRetry = TimeSpan.FromSeconds(1), MaxRetry = TimeSpan.FromSeconds(30);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _journal;
    private readonly NewestEventsReader? _newest;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _settle;
    private readonly Dictionary<string, CatalogEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _waiting = [];
    private readonly List<IActorRef> _checkpointRequesters = [];
    private ICurrentEventsByTagQuery? _query;
    private long _offset;

    /// <summary>What is known differs from the last snapshot saved (a save failed): the next checkpoint saves even if it reads nothing new.</summary>
    private bool _unsaved;

    /// <param name="journal">The <see cref="JournalReadinessActor"/>: the catalog reads once it says the journal is there.</param>
    /// <param name="newest">Reads the newest event of each backend from Gateway's journal table; null: fold the tag instead.</param>
    public BackendCatalogActor(IActorRef journal, TimeSpan interval, TimeSpan settle, NewestEventsReader? newest)
    {
        _journal = journal;
        _newest = newest;
        _interval = interval;
        _settle = settle;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not BackendCatalogSnapshot snapshot)
                return;
            foreach (var entry in snapshot.Backends)
                _entries[entry.Name] = entry;
            _offset = snapshot.Offset;
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("Backend catalog: [{Backends}] backends from its snapshot at offset [{Offset}]; reading the journal from there ({How})",
                _entries.Count, _offset, _newest is null ? "folding the gateway tag" : "the newest event of each backend");
            _journal.Tell(JournalReadinessActor.AwaitJournal.Instance);
        });
        WaitingForJournal();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => Id;

    /// <param name="journal">The <see cref="JournalReadinessActor"/>.</param>
    /// <param name="interval">How often the catalog reads the journal and saves a snapshot.</param>
    /// <param name="settle">Events younger than this are folded but the offset does not move past them.</param>
    /// <param name="newest">Reads the newest event of each backend from Gateway's journal table (<see cref="NewestEventsReader.For"/>); null: fold the tag.</param>
    public static Props Props(IActorRef journal, TimeSpan? interval = null, TimeSpan? settle = null, NewestEventsReader? newest = null) =>
        Akka.Actor.Props.Create(() => new BackendCatalogActor(journal, interval ?? DefaultInterval, settle ?? TimeSpan.FromSeconds(5), newest));

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(10);

    private void WaitingForJournal()
    {
        Command<GetCatalog>(_ => _waiting.Add(Sender));
        Command<Checkpoint>(_ => Sender.Tell(new CheckpointDone(_offset, _entries.Count))); // nothing read, nothing to save
        Command<JournalReadinessActor.JournalAvailable>(available =>
        {
            _query = (ICurrentEventsByTagQuery)available.ReadJournal;
            Timers.StartPeriodicTimer(CheckpointTimer, Checkpoint.Instance, _interval);
            Fold(caughtUp: false, failures: 0);
        });
    }

    /// <summary>Reads the tag from the offset; <paramref name="caughtUp"/> is false until the first read at start succeeded.</summary>
    private void Fold(bool caughtUp, int failures)
    {
        Become(() =>
        {
            Command<GetCatalog>(_ => Reply(caughtUp));
            Command<Checkpoint>(_ => AddRequester()); // answered when this read is saved
            Command<CatalogRead>(read => Merge(read, caughtUp));
            Command<Status.Failure>(failure =>
            {
                foreach (var requester in _checkpointRequesters)
                    requester.Tell(new Status.Failure(failure.Cause));
                _checkpointRequesters.Clear();
                if (caughtUp)
                {
                    _log.Warning("Backend catalog could not read the journal for its checkpoint: {Error}; the next checkpoint tries again", failure.Cause.Message);
                    Idle();
                    return;
                }
                var delay = TimeSpan.FromTicks(Math.Min(MinRetry.Ticks << Math.Min(failures, 5), MaxRetry.Ticks));
                _log.Warning("Backend catalog could not read the journal: {Error}; the desired state waits for it, next attempt in [{Seconds}] s",
                    failure.Cause.Message, delay.TotalSeconds);
                Timers.StartSingleTimer(RetryTimer, RetryFold.Instance, delay);
            });
            Command<RetryFold>(_ => Fold(caughtUp, failures + 1));
        });
        Read();
    }

    private void Idle()
    {
        Become(() =>
        {
            Command<GetCatalog>(_ => Reply(caughtUp: true));
            Command<Checkpoint>(_ =>
            {
                AddRequester();
                Fold(caughtUp: true, failures: 0);
            });
        });
    }

    private void Saving()
    {
        Become(() =>
        {
            Command<GetCatalog>(_ => Reply(caughtUp: true));
            Command<Checkpoint>(_ => AddRequester());
            Command<SaveSnapshotSuccess>(_ =>
            {
                _unsaved = false;
                _log.Debug("Backend catalog saved: [{Backends}] backends at offset [{Offset}]", _entries.Count, _offset);
                CheckpointFinished();
            });
            Command<SaveSnapshotFailure>(failure =>
            {
                _unsaved = true;
                _log.Warning("Backend catalog could not save its snapshot: {Error}", failure.Cause.Message);
                CheckpointFinished();
            });
        });
    }

    private void Merge(CatalogRead read, bool caughtUp)
    {
        var changed = _unsaved;
        foreach (var entry in read.Latest)
            if (!_entries.TryGetValue(entry.Name, out var known) || known.Version < entry.Version)
            {
                _entries[entry.Name] = entry;
                changed = true;
            }
        if (read.SafeOffset > _offset)
        {
            _offset = read.SafeOffset;
            changed = true;
        }
        if (!caughtUp)
        {
            _log.Info("Backend catalog caught up: [{Backends}] backends, [{Events}] events written since its snapshot", _entries.Count, read.Events);
            foreach (var waiting in _waiting)
                waiting.Tell(CurrentCatalog());
            _waiting.Clear();
        }
        if (changed)
        {
            // no events, so every snapshot has sequence number 0: the store replaces the previous one
            SaveSnapshot(new BackendCatalogSnapshot(_entries.Values.ToList(), _offset));
            Saving();
        }
        else
            CheckpointFinished();
    }

    private void Reply(bool caughtUp)
    {
        if (caughtUp)
            Sender.Tell(CurrentCatalog());
        else
            _waiting.Add(Sender);
    }

    private void AddRequester()
    {
        if (Sender is not null && !Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters))
            _checkpointRequesters.Add(Sender);
    }

    private Catalog CurrentCatalog() => new(_entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(), _offset);

    private void CheckpointFinished()
    {
        foreach (var requester in _checkpointRequesters)
            requester.Tell(new CheckpointDone(_offset, _entries.Count));
        _checkpointRequesters.Clear();
        Idle();
    }

    /// <summary>Reads from the offset and pipes the newest state of each backend back.</summary>
    private void Read()
    {
        var settledBefore = DateTime.UtcNow.Subtract(_settle);
        (_newest is null
                ? CatalogReads.FoldTagAsync(_query!, _offset, settledBefore, Context.System.Materializer())
                : CatalogReads.NewestAsync(_newest, _offset, settledBefore, CancellationToken.None))
            .PipeTo(Self);
    }
}

/// <summary>Akka.Hosting registration of <see cref="BackendCatalogActor"/>.</summary>
public static class BackendCatalogActorHosting
{
    /// <summary>
    /// Registers the catalog under a supervisor that starts it again if its recovery fails (a journal
    /// down for longer than the recovery timeout), and checkpoints it when the node stops, so the next
    /// start reads (almost) nothing.
    /// </summary>
    public static AkkaConfigurationBuilder AddBackendCatalog(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var props = BackendCatalogActor.Props(registry.Get<JournalReadinessActor>(), newest: NewestEventsReader.For(system));
            var catalog = system.ActorOf(Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnStop(props, "catalog",
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1)), "catalog-supervisor");
            registry.Register<BackendCatalogActor>(catalog);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "checkpoint-backend-catalog", async () =>
            {
                try
                {
                    await catalog.Ask<BackendCatalogActor.CheckpointDone>(BackendCatalogActor.Checkpoint.Instance, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
                catch (Exception e) // a timeout, or the journal could not be read: the next start only reads more
                {
                    system.Log.Warning("Backend catalog: no checkpoint at shutdown ({Error}); the next start reads the events since the last one", e.Message);
                }
                return Akka.Done.Instance;
            });
        });
}
