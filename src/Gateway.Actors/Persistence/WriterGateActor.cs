using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Persistence;

/// <summary>
/// Stands in front of one persistent writer (the routes; in a cluster each backend too, as the shard's
/// entity) so that a command never meets it stopped:
/// it holds commands while the writer reads its journal, and when a write fails (the writer stops,
/// as a persistent actor must) it holds what comes and starts the writer again at once. A writer
/// that cannot read its journal is tried again shortly while commands wait (twice), with backoff
/// when none does, and at once when the next command comes, so the first command after the journal
/// is back is stored. Nothing waits on a failure longer than <see cref="HoldTimeout"/>, and once the
/// journal is down (a third failed start in a row) nothing waits at all: it is answered
/// <see cref="NotStored"/> with the journal's error. (A first start is not a failure: slow under
/// load, it is bounded by Akka's recovery timeout.)
/// (Akka's BackoffSupervisor sent commands arriving during its backoff to dead letters: the caller
/// waited 10 s for nothing, and the first route change after an outage failed too.)
/// <para>
/// As a shard's entity it passivates a writer that says it is idle (<see cref="WriterIdle"/>: a backend
/// that does not exist): it asks the shard, which holds what comes meanwhile and sends
/// <see cref="StopIfIdle"/>; the writer gets it after what it already has, and the gate then stops
/// whatever the writer answers (the shard starts a new gate for what it held). What the gate itself
/// holds then goes back to the shard, which holds it for that next gate.
/// </para>
/// <para>
/// When the writer moves to another node (a shard hands off, the routes' singleton hands over), the
/// gate gets <see cref="StopAfterWrites"/> and passes it on: the writer stops once its writes in flight
/// are answered, and what reaches the gate meanwhile, or waits in it for a writer that is not ready,
/// is answered not stored, so the caller tries again on the writer's next node.
/// </para>
/// States: starting (holding) → ready (forwarding) → stopping (holding) → starting | down;
/// ready → passivating → stopped; any → leaving → stopped.
/// </summary>
public sealed class WriterGateActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Why a command that meets a writer moving to another node is not stored.</summary>
    private const string Moving = "it is moving to another node, try again";

    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(500), MaxRetry = TimeSpan.FromSeconds(30);

    /// <summary>How soon a writer that could not read its journal is tried again while commands wait for it.</summary>
    private static readonly TimeSpan RetryWhileHolding = TimeSpan.FromMilliseconds(200);

    /// <summary>How many failed starts in a row are tried again after <see cref="RetryWhileHolding"/> while commands wait, before backoff.</summary>
    private const int QuickRetries = 2;

    private sealed class Restart
    {
        public static readonly Restart Instance = new();
    }

    private sealed class ExpireHeld
    {
        public static readonly ExpireHeld Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Props _writer;
    private readonly string _name;
    private readonly HeldMessages _held = new();
    private int _generation;

    public WriterGateActor(Props writer, string name)
    {
        _writer = writer;
        _name = name;
        Starting(reason: null, failures: 0);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="writer">The persistent writer; it tells its parent <see cref="WriterReady"/> and <see cref="WriterStopping"/>.</param>
    /// <param name="name">Its name, for logs and answers ("routes").</param>
    public static Props Props(Props writer, string name) => Akka.Actor.Props.Create(() => new WriterGateActor(writer, name));

    /// <summary>A new writer reads its journal; commands wait. <paramref name="reason"/> is why the last one stopped.</summary>
    private void Starting(string? reason, int failures)
    {
        var child = Context.Watch(Context.ActorOf(_writer, $"{_name}-{++_generation}"));
        Become(() =>
        {
            Receive<WriterReady>(_ =>
            {
                if (reason is not null)
                    WriterFailureLog.For(Context.System).Back(_log, _name, reason);
                Timers.Cancel(nameof(ExpireHeld));
                foreach (var (message, sender) in _held.TakeAll())
                    child.Tell(message, sender);
                Ready(child);
            });
            Receive<WriterStopping>(stopping => Stopping(child, stopping, failures));
            Receive<Terminated>(t =>
            {
                if (t.ActorRef.Equals(child))
                    Down(reason ?? $"the {_name} writer could not start", failures + 1);
            });
            Holding(reason);
        });
    }

    private void Ready(IActorRef child)
    {
        Become(() =>
        {
            Receive<WriterStopping>(stopping => Stopping(child, stopping, failures: 0));
            Receive<Terminated>(t =>
            {
                if (t.ActorRef.Equals(child))
                    Starting($"the {_name} writer stopped", failures: 0);
            });
            Receive<ExpireHeld>(_ => Timers.Cancel(nameof(ExpireHeld)));
            Receive<Restart>(_ => { });
            Receive<WriterIdle>(_ => Context.Parent.Tell(new Passivate(StopIfIdle.Instance)));
            Receive<StopIfIdle>(_ =>
            {
                child.Tell(StopIfIdle.Instance); // after what it already has
                Passivating(child);
            });
            Receive<StopAfterWrites>(_ => Leaving(child));
            ReceiveAny(message => child.Forward(message));
        });
    }

    /// <summary>The shard passivates this entity and holds what comes; stop once the writer stopped, or said it is needed after all.</summary>
    private void Passivating(IActorRef child)
    {
        Become(() =>
        {
            Receive<WriterStillNeeded>(_ => Context.Stop(Self)); // the shard starts a new gate for what it held
            Receive<Terminated>(t =>
            {
                if (t.ActorRef.Equals(child))
                    Context.Stop(Self);
            });
            Receive<WriterStopping>(_ => { }); // Terminated follows
            Receive<ExpireHeld>(_ => { });
            Receive<Restart>(_ => { });
            Receive<StopAfterWrites>(_ => Leaving(child));
            ReceiveAny(message => Context.Parent.Forward(message)); // the shard holds it for the next gate
        });
    }

    /// <summary>The writer moves to another node: it stops once its writes in flight are answered, and so does the gate.</summary>
    private void Leaving(IActorRef child)
    {
        child.Tell(StopAfterWrites.Instance); // after what it already has
        Become(() =>
        {
            Receive<Terminated>(t =>
            {
                if (t.ActorRef.Equals(child))
                    Context.Stop(Self);
            });
            Receive<WriterStopping>(_ => { }); // its in-flight write failed and it answered it: Terminated follows
            Receive<WriterStillNeeded>(_ => { });
            Receive<WriterIdle>(_ => { });
            Receive<StopIfIdle>(_ => { });
            Receive<StopAfterWrites>(_ => { });
            Receive<ExpireHeld>(_ => { });
            Receive<Restart>(_ => { });
            ReceiveAny(_ => Sender.Tell(new NotStored(NotAvailable(Moving))));
        });
    }

    /// <summary>The writer moves to another node while the gate holds commands for it: they are answered, and the gate stops.</summary>
    private void Leave()
    {
        Refuse(_held.TakeAll(), Moving);
        Context.Stop(Self);
    }

    /// <summary>The shard passivates this entity while it holds commands: they go back to the shard, which holds them for the next gate.</summary>
    private void HandBack()
    {
        foreach (var (message, sender) in _held.TakeAll())
            Context.Parent.Tell(message, sender);
        Context.Stop(Self);
    }

    /// <summary>The writer stops after a journal failure: hold what comes until it is gone.</summary>
    private void Stopping(IActorRef child, WriterStopping stopping, int failures)
    {
        Become(() =>
        {
            Receive<Terminated>(t =>
            {
                if (!t.ActorRef.Equals(child))
                    return;
                if (stopping.WasReady)
                    Starting(stopping.Reason, failures); // a write failed: the journal may be fine again, read it now
                else
                    Down(stopping.Reason, failures + 1);
            });
            Holding(stopping.Reason);
        });
    }

    /// <summary>
    /// The writer could not read its journal. Held commands keep waiting (at most <see cref="HoldTimeout"/>)
    /// while it is tried again shortly, <see cref="QuickRetries"/> times in a row: a journal that just
    /// came back may fail a first read on a connection the outage broke. Past that the journal is down,
    /// not blinking: what waits is answered at once, and the writer is tried with backoff, or at the
    /// next command (which is answered as soon as that try fails).
    /// </summary>
    private void Down(string reason, int failures)
    {
        var held = _held.Count > 0;
        if (held && failures > QuickRetries)
            Refuse(_held.TakeAll(), reason);
        var quick = held && failures <= QuickRetries;
        var delay = quick ? RetryWhileHolding : TimeSpan.FromTicks(Math.Min(MinRetry.Ticks << Math.Min(failures - 1, 8), MaxRetry.Ticks));
        // each timed try says so; of tries made for commands (one per command while it lasts), the first
        if (!quick && (!held || failures == QuickRetries + 1))
            WriterFailureLog.For(Context.System).Down(_log, _name, reason, delay);
        Timers.StartSingleTimer(nameof(Restart), Restart.Instance, delay);
        Become(() =>
        {
            Receive<Restart>(_ => Starting(reason, failures));
            Receive<Terminated>(_ => { });
            Receive<WriterReady>(_ => { }); // from no writer of now: none runs while down
            Receive<WriterStopping>(_ => { });
            Receive<WriterIdle>(_ => { });
            Receive<StopIfIdle>(_ => HandBack());
            Receive<StopAfterWrites>(_ => Leave());
            Receive<ExpireHeld>(_ => Expire(reason));
            ReceiveAny(message =>
            {
                Timers.Cancel(nameof(Restart));
                Hold(message);
                Starting(reason, failures);
            });
        });
    }

    /// <summary>What a holding state does with commands, and with those held too long.</summary>
    private void Holding(string? reason)
    {
        // Only what waits on a failure expires: a first start under load is slow, not failing, and
        // Akka's recovery timeout bounds it.
        Receive<ExpireHeld>(_ =>
        {
            if (reason is null)
                Timers.Cancel(nameof(ExpireHeld));
            else
                Expire(reason);
        });
        Receive<Restart>(_ => { });
        Receive<WriterIdle>(_ => { }); // from a writer that stops: the next one says again
        Receive<StopIfIdle>(_ => HandBack());
        Receive<StopAfterWrites>(_ => Leave());
        ReceiveAny(Hold);
    }

    /// <summary>Answers what waited on a failure longer than <see cref="HoldTimeout"/>: not stored, and why.</summary>
    private void Expire(string reason) => Refuse(_held.TakeOlderThan(NodeClock.Machine.UtcNow - HoldTimeout), reason);

    private void Refuse(IEnumerable<(object Message, IActorRef Sender)> commands, string reason)
    {
        foreach (var (_, sender) in commands)
            sender.Tell(new NotStored(NotAvailable(reason)));
        if (_held.Count == 0)
            Timers.Cancel(nameof(ExpireHeld));
    }

    private string NotAvailable(string reason) => $"the {_name} writer is not available: {reason}";

    private void Hold(object message)
    {
        _held.Add(message, Sender, NodeClock.Machine.UtcNow);
        // once a second, not restarted by each command (a steady stream would keep it from firing)
        if (!Timers.IsTimerActive(nameof(ExpireHeld)))
            Timers.StartPeriodicTimer(nameof(ExpireHeld), ExpireHeld.Instance, TimeSpan.FromSeconds(1));
    }
}
