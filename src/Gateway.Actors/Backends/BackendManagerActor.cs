using Akka.Hosting;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Health;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Backends;

/// <summary>
/// Routes every backend command by name to that backend's <see cref="BackendActor"/>, creating it
/// on demand. At start, once the journal answers, it lists the backends the journal knows
/// (persistence ids <c>backend-*</c>) and asks the <see cref="BackendCatalogActor"/> for their
/// latest state: what the catalog knows goes to the desired-state view at once, and only backends
/// it does not know are woken to recover and report. A journal that is slow or down delays this
/// (retried with backoff, logged, and told to /readyz), never wedges it.
/// <para>
/// Commands for a backend are held here, not in the backend actor, while it reads its journal,
/// while it is asked to stop (it recovered as deleted) and while it stops after a failed write;
/// they go to it (or to its next incarnation) once it is ready. A backend whose journal cannot be
/// read is started again shortly while commands wait; what waits on a failure longer than
/// <see cref="HoldTimeout"/> is answered <see cref="NotStored"/>: a command is never dropped.
/// </para>
/// </summary>
public sealed partial class BackendManagerActor : ReceiveActor, IWithTimers
{
    /// <summary>A child asks to be stopped (it recovered as deleted).</summary>
    public sealed record Passivate(string Name);

    /// <summary>A child asked to stop turned out to exist after all: deliver what was held for it.</summary>
    public sealed record Resume(string Name);

    /// <summary>How long a command waits for a backend whose journal failed before it is answered <see cref="NotStored"/>.</summary>
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _desiredState;
    private readonly IActorRef _journal;
    private readonly IActorRef? _catalog;

    /// <summary>Backends that cannot take commands now, and what is held for them.</summary>
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>
    /// Names the journal may hold: those it listed at start and every one seen since. Null until
    /// the list is in. A name outside it is new, and its actor skips reading the journal. (Sound
    /// while this manager is the only writer of backends, as on a single node.)
    /// </summary>
    private HashSet<string>? _known;

    /// <param name="journal">The <see cref="JournalReadinessActor"/>, which hands over the read journal once it answers.</param>
    /// <param name="catalog">The <see cref="BackendCatalogActor"/>; without one every backend wakes at start.</param>
    public BackendManagerActor(IActorRef desiredState, IActorRef journal, IActorRef? catalog)
    {
        _desiredState = desiredState;
        _journal = journal;
        _catalog = catalog;
        Starting(Startup.WaitingForJournal);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef desiredState, IActorRef journal, IActorRef? catalog = null) =>
        Akka.Actor.Props.Create(() => new BackendManagerActor(desiredState, journal, catalog));

    protected override void PreStart() => _journal.Tell(JournalReadinessActor.AwaitJournal.Instance);

    private void Running()
    {
        Become(() =>
        {
            Commands();
            Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus(Component, null)));
            Receive<BackendCatalogActor.Catalog>(_ => { }); // an answer to a reminder that crossed the first one
        });
    }

    /// <summary>What every state handles: commands, and the children's lifecycle.</summary>
    private void Commands()
    {
        Receive<UpsertBackend>(command =>
        {
            if (Rules.Name(command.BackendName) is { } error)
                Sender.Tell(new BackendRejected(command.BackendName ?? "", [new ValidationError("name", error)]));
            else
                Deliver(command.BackendName, command);
        });
        Receive<RemoveBackend>(command =>
        {
            if (Rules.Name(command.BackendName) is not null)
                Sender.Tell(new BackendNotFound(command.BackendName ?? ""));
            else
                Deliver(command.BackendName, command);
        });
        // The seed's provider event, from other Akka services.
        Receive<BackendEvent>(evt =>
        {
            var source = $"akka:{Sender.Path}";
            object command = evt.Type == BackendEventType.Delete
                ? new RemoveBackend(evt.Backend.Name, source)
                : new UpsertBackend(evt.Backend, source);
            Self.Forward(command);
        });
        ChildLifecycle();
    }

    private void Deliver(string name, object message)
    {
        if (_gates.TryGetValue(name, out var gate))
            Hold(gate, message);
        else if (Context.Child(name) is var child && !child.IsNobody())
            child.Forward(message);
        else
            Hold(Start(name), message);
    }

    private void Hold(Gate gate, object message)
    {
        gate.Held.Add(message, Sender, DateTime.UtcNow);
        if (gate.Reason is not null)
            ExpireLater();
    }

    /// <summary>Checks every second for what waited too long on a failure (a timer restarted at each command would never fire).</summary>
    private void ExpireLater()
    {
        if (!Timers.IsTimerActive(nameof(ExpireHeld)))
            Timers.StartPeriodicTimer(nameof(ExpireHeld), ExpireHeld.Instance, TimeSpan.FromSeconds(1));
    }

    /// <summary>A new incarnation of the backend's actor; commands wait for it to report <see cref="WriterReady"/>.</summary>
    /// <param name="reason">Why an earlier incarnation failed, for commands that wait too long for this one.</param>
    private Gate Start(string name, HeldMessages? held = null, string? reason = null)
    {
        var isNew = _known is not null && _known.Add(name);
        Context.Watch(Context.ActorOf(BackendActor.Props(name, _desiredState, isNew), name));
        return _gates[name] = new Gate(WriterPhase.Starting, held ?? new HeldMessages(), reason);
    }

    /// <summary>Hands what was held to the child and forgets the gate.</summary>
    private void Release(string name, IActorRef child)
    {
        if (!_gates.Remove(name, out var gate))
            return;
        foreach (var (message, sender) in gate.Held.TakeAll())
            child.Tell(message, sender);
    }

    private static void Refuse(IEnumerable<(object Message, IActorRef Sender)> held, string reason)
    {
        foreach (var (_, sender) in held)
            sender.Tell(new NotStored(reason));
    }
}

/// <summary>Akka.Hosting registration of <see cref="BackendManagerActor"/>.</summary>
public static class BackendManagerActorHosting
{
    public static AkkaConfigurationBuilder AddBackendManager(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
            registry.Register<BackendManagerActor>(system.ActorOf(
                BackendManagerActor.Props(registry.Get<DesiredStateActor>(), registry.Get<JournalReadinessActor>(), registry.Get<BackendCatalogActor>()),
                "backends")));
}
