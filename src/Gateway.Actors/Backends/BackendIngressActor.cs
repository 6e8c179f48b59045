using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Backends;

/// <summary>
/// Where every backend command enters a node, at <c>/user/backends</c> on a node alone and in a
/// cluster alike: the admin API, the providers and other Akka services send here. It refuses a name
/// HAProxy would not take before any writer exists for it, turns the seed's
/// <see cref="BackendEvent"/> into the command it stands for, unwraps a
/// <see cref="ShardingEnvelope"/>, and forwards the command to the writers (the shard region, or
/// <see cref="BackendManagerActor"/> on a node alone), which answer the sender directly.
/// </summary>
public sealed class BackendIngressActor : ReceiveActor
{
    public const string Name = "backends";

    /// <param name="writers">The shard region, or the node-alone manager: routes a command to its backend's writer.</param>
    public BackendIngressActor(IActorRef writers)
    {
        Receive<UpsertBackend>(command =>
        {
            if (Rules.Name(command.BackendName) is { } error)
                Sender.Tell(new BackendRejected(command.BackendName ?? "", [new ValidationError("name", error)]));
            else
                writers.Forward(command);
        });
        Receive<RemoveBackend>(command =>
        {
            if (Rules.Name(command.BackendName) is not null)
                Sender.Tell(new BackendNotFound(command.BackendName ?? ""));
            else
                writers.Forward(command);
        });
        Receive<ShardingEnvelope>(envelope => Self.Forward(envelope.Message));
        // The seed's provider event, from other Akka services: the sender's path is the change's source.
        Receive<BackendEvent>(evt =>
        {
            var source = $"akka:{Sender.Path}";
            Self.Forward(evt.Type == BackendEventType.Delete
                ? new RemoveBackend(evt.Backend.Name, source)
                : new UpsertBackend(evt.Backend, source));
        });
    }

    public static Props Props(IActorRef writers) => Akka.Actor.Props.Create(() => new BackendIngressActor(writers));
}
