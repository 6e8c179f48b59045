using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence.Query;
using Gateway.Actors.Health;

namespace Gateway.Actors.Persistence;

/// <summary>
/// Waits for the journal to answer and hands its read side to whoever needs it. Akka.Persistence.Sql's
/// read journal blocks in its constructor until the write journal has created its tables (an Ask of
/// 5 s that throws when the database is slow or down): obtained in an actor's constructor it failed
/// that actor for good on a busy machine, and a node whose PostgreSQL came up late never became
/// ready. Here it is obtained on a thread of its own, retried with backoff while each failure is
/// logged with what is awaited, and <see cref="GetStartupStatus"/> tells /readyz why the node waits.
/// </summary>
public sealed class JournalReadinessActor : ReceiveActor, IWithTimers
{
    /// <summary>Replies <see cref="JournalAvailable"/> once the journal answers (at once if it already has).</summary>
    public sealed class AwaitJournal
    {
        public static readonly AwaitJournal Instance = new();
    }

    /// <summary>The journal's read side (Akka.Persistence.Sql's <c>SqlReadJournal</c>): cast it to the queries needed.</summary>
    public sealed record JournalAvailable(IReadJournal ReadJournal);

    private sealed record Obtained(IReadJournal ReadJournal);
    private sealed record NotObtained(Exception Cause);
    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    /// <summary>The state while waiting: the attempts made and why the last failed.</summary>
    private sealed record Waiting(int Attempts, string? LastError, TimeSpan NextDelay, IReadOnlyList<IActorRef> Awaiting)
    {
        public static readonly Waiting First = new(0, null, TimeSpan.Zero, []);
    }

    private const string Component = "journal";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _readJournalId;
    private readonly string _description;
    private readonly Backoff _backoff;
    private readonly Stopwatch _since = Stopwatch.StartNew();

    /// <param name="readJournalId">The persistence query plugin (Akka.Persistence.Sql's <c>SqlReadJournal.Identifier</c>).</param>
    /// <param name="description">What the journal is, for the log and /readyz ("SQLite journal.db", "PostgreSQL at host:port").</param>
    public JournalReadinessActor(string readJournalId, string description, Backoff backoff)
    {
        _readJournalId = readJournalId;
        _description = description;
        _backoff = backoff;
        Obtaining(Waiting.First);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Delays between attempts: doubling from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public sealed record Backoff(TimeSpan Min, TimeSpan Max)
    {
        public static readonly Backoff Default = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

        public TimeSpan After(TimeSpan delay) => delay < Min ? Min : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Max.Ticks));
    }

    public static Props Props(string readJournalId, string description, Backoff? backoff = null) =>
        Akka.Actor.Props.Create(() => new JournalReadinessActor(readJournalId, description, backoff ?? Backoff.Default));

    protected override void PreStart() => Attempt();

    private void Obtaining(Waiting waiting)
    {
        Become(() =>
        {
            Receive<AwaitJournal>(_ => Obtaining(waiting with { Awaiting = [.. waiting.Awaiting, Sender] }));
            Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus(Component, waiting.LastError is null
                ? $"the {_description} to answer"
                : $"the {_description}, which failed {waiting.Attempts} times (last: {waiting.LastError}); next attempt within {waiting.NextDelay.TotalSeconds:0.#} s")));
            Receive<Obtained>(obtained =>
            {
                if (waiting.Attempts > 0)
                    _log.Info("Journal available: the [{Journal}] answered after [{Attempts}] failed attempts in [{Seconds:0.0}] s", _description, waiting.Attempts,
                        _since.Elapsed.TotalSeconds);
                var available = new JournalAvailable(obtained.ReadJournal);
                foreach (var awaiting in waiting.Awaiting)
                    awaiting.Tell(available);
                Available(available);
            });
            Receive<NotObtained>(failed =>
            {
                var delay = _backoff.After(waiting.NextDelay);
                var error = failed.Cause.GetBaseException().Message;
                _log.Warning("Waiting for the [{Journal}]: {Error}; attempt [{Attempt}] failed, next in [{Seconds:0.#}] s", _description, error, waiting.Attempts + 1,
                    delay.TotalSeconds);
                Timers.StartSingleTimer(nameof(Retry), Retry.Instance, delay);
                Obtaining(waiting with { Attempts = waiting.Attempts + 1, LastError = error, NextDelay = delay });
            });
            Receive<Retry>(_ => Attempt());
        });
    }

    private void Available(JournalAvailable available)
    {
        Become(() =>
        {
            Receive<AwaitJournal>(_ => Sender.Tell(available));
            Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus(Component, null)));
        });
    }

    /// <summary>The read journal's constructor blocks (up to 5 s) until the write journal is initialized: on a thread of its own, never an actor's.</summary>
    private void Attempt()
    {
        var (system, id) = (Context.System, _readJournalId);
        Task.Factory.StartNew(() => PersistenceQuery.Get(system).ReadJournalFor<IReadJournal>(id), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .PipeTo(Self, success: journal => new Obtained(journal), failure: e => new NotObtained(e));
    }
}

/// <summary>Akka.Hosting registration of <see cref="JournalReadinessActor"/>.</summary>
public static class JournalReadinessActorHosting
{
    public static AkkaConfigurationBuilder AddJournalReadiness(this AkkaConfigurationBuilder builder, string readJournalId, string description) =>
        builder.WithActors((system, registry) =>
            registry.Register<JournalReadinessActor>(system.ActorOf(JournalReadinessActor.Props(readJournalId, description), "journal")));
}
