using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Sharding;
using Gateway.Actors.Persistence;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Sharding;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Backends;

/// <summary>
/// The backends' writers on a node alone: one <see cref="BackendActor"/> child per backend, made on
/// the first command for it, with commands routed by <see cref="BackendShards"/> as the cluster's
/// shard region routes them. It reads nothing at start: the node's desired state comes from the
/// journal (the catalog), and a backend's actor reads its own journal when a command wakes it.
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
    /// <summary>How long a command waits for a backend whose journal failed before it is answered <see cref="NotStored"/>.</summary>
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(5);

    private static readonly IMessageExtractor Shards = BackendShards.Instance;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _desiredState;

    /// <summary>Backends that cannot take commands now, and what is held for them.</summary>
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <param name="desiredState">Where each backend reports its new state (the node's desired-state view).</param>
    public BackendManagerActor(IActorRef desiredState)
    {
        _desiredState = desiredState;
        // Names were checked by the BackendIngressActor in front of it.
        Receive<UpsertBackend>(Deliver);
        Receive<RemoveBackend>(Deliver);
        ChildLifecycle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef desiredState) => Akka.Actor.Props.Create(() => new BackendManagerActor(desiredState));

    /// <summary>To the backend's actor, as the shard region would: the extractor names it and unwraps the message.</summary>
    private void Deliver(object command)
    {
        var name = Shards.EntityId(command)!;
        var message = Shards.EntityMessage(command)!;
        if (_gates.TryGetValue(name, out var gate))
            Hold(gate, message);
        else if (Context.Child(name) is var child && !child.IsNobody())
            child.Forward(message);
        else
            Hold(Start(name), message);
    }

    private void Hold(Gate gate, object message)
    {
        gate.Held.Add(message, Sender, NodeClock.Machine.UtcNow);
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
        Context.Watch(Context.ActorOf(BackendActor.Props(name, _desiredState), name));
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
