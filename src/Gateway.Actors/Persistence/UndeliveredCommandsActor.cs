using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Gateway.Actors.Routes;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Persistence;

/// <summary>
/// Answers changes that reached no writer. A persistent writer that fails a write must stop, and
/// whatever was already in its mailbox (several changes to one backend in a row, say) goes to dead
/// letters: the caller would wait for an answer that never comes. So does a change for a writer whose
/// node has gone (remoting drops it). This actor watches the dead letters and tells such a caller
/// <see cref="NotStored"/>: nothing was stored, send it again.
/// </summary>
public sealed class UndeliveredCommandsActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public UndeliveredCommandsActor()
    {
        Receive<DeadLetter>(dead =>
        {
            if (dead.Message is not (UpsertBackend or RemoveBackend or SetRoute or RemoveRoute or RoutesActor.RemoveRoutesFrom)
                || dead.Sender is null || dead.Sender.IsNobody() || dead.Sender.Equals(Context.System.DeadLetters))
                return;
            // Remoting hands what it cannot send (the writer's node is gone, its address gated) to dead letters as their own
            var unreachable = dead.Recipient.Equals(Context.System.DeadLetters);
            WriterFailureLog.For(Context.System).Undelivered(_log, dead.Message.GetType().Name, dead.Recipient.Path,
                unreachable ? "could not be reached" : "had stopped");
            dead.Sender.Tell(new NotStored(unreachable
                ? "the change reached no writer (its node cannot be reached; once the cluster has removed that node, its writers run on another); nothing was stored"
                : $"the change reached no writer ({dead.Recipient.Path.Name} had stopped after a journal failure); nothing was stored"));
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new UndeliveredCommandsActor());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}

/// <summary>Akka.Hosting registration of <see cref="UndeliveredCommandsActor"/>.</summary>
public static class UndeliveredCommandsActorHosting
{
    public static AkkaConfigurationBuilder AddUndeliveredCommands(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, _) => system.ActorOf(UndeliveredCommandsActor.Props(), "undelivered-commands"));
}
