using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Gateway.Shared.Messages;
using Gateway.Shared.Sharding;

namespace Gateway.Actors.Cluster;

/// <summary>
/// The fast path of a cluster: the writers on this node (backends, the routes) report each new state
/// here, and it is published at once to every node's desired-state view, this node's included. At
/// start it subscribes this node's view to the topic. Publishing is at most once, and a node whose
/// subscription has not yet spread misses what is published meanwhile: the journal tail catches up.
/// </summary>
public sealed class ChangeFeedActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _mediator = DistributedPubSub.Get(Context.System).Mediator;
    private readonly IActorRef _desiredState;

    public ChangeFeedActor(IActorRef desiredState)
    {
        _desiredState = desiredState;
        Receive<BackendStateChanged>(changed => _mediator.Tell(new Publish(GatewayNames.ChangesTopic, changed)));
        Receive<RoutesStateChanged>(changed => _mediator.Tell(new Publish(GatewayNames.ChangesTopic, changed)));
        Receive<SubscribeAck>(_ => _log.Info("Desired state subscribed to the cluster's changes (topic [{Topic}])", GatewayNames.ChangesTopic));
    }

    public static Props Props(IActorRef desiredState) => Akka.Actor.Props.Create(() => new ChangeFeedActor(desiredState));

    protected override void PreStart() => _mediator.Tell(new Subscribe(GatewayNames.ChangesTopic, _desiredState), Self);
}
