using Akka.Actor;
using Akka.Configuration;
using Gateway.Actors.Cluster;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Cluster;

/// <summary>
/// The cluster's fast path between two real actor systems on loopback: a change reported to one
/// node's feed reaches the other node's desired state at once, through DistributedPubSub and the
/// Gateway serializer, versions and all.
/// </summary>
public sealed class ChangeFeedActorSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(Node, output: output)
{
    private static readonly Config Node = ConfigurationFactory.ParseString($$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.actor.serializers.{{Gateway.Shared.Serialization.GatewaySerializer.Name}} = "Gateway.Shared.Serialization.GatewaySerializer, Gateway.Shared"
        akka.actor.serialization-bindings { "Gateway.Shared.Messages.IGatewayMessage, Gateway.Shared" = {{Gateway.Shared.Serialization.GatewaySerializer.Name}} }
        akka.cluster.min-nr-of-members = 2
        """);

    [Fact]
    public void ChangeFeed_should_deliver_a_change_reported_on_one_node_to_the_desired_state_of_the_other()
    {
        using var other = ActorSystem.Create(Sys.Name, Node);
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        Akka.Cluster.Cluster.Get(other).Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2, TimeSpan.FromSeconds(30));

        var here = CreateTestProbe();
        var there = CreateTestProbe(other);
        Sys.ActorOf(ChangeFeedActor.Props(here.Ref), "change-feed");
        var otherFeed = other.ActorOf(ChangeFeedActor.Props(there.Ref), "change-feed");
        var changed = new BackendStateChanged("shop", 4, new Backend { Name = "shop", Servers = [new BackendServer { Name = "s1", IP = "127.0.0.1", Port = 8080 }] }, "admin-api");

        // the subscriptions spread by gossip: report until the first arrives (earlier reports may arrive late: skipped below)
        AwaitAssert(() =>
        {
            otherFeed.Tell(changed);
            Assert.Equal(changed.Version, here.ExpectMsg<BackendStateChanged>(TimeSpan.FromMilliseconds(300)).Version);
        }, TimeSpan.FromSeconds(30));

        var routes = new RoutesStateChanged(9, [new Route { Host = "shop.test", Path = "", Backend = "shop" }]);
        otherFeed.Tell(routes);
        var arrived = (RoutesStateChanged)here.FishForMessage(m => m is RoutesStateChanged);
        Assert.Equal(9, arrived.Version);
        Assert.Equal("shop", Assert.Single(arrived.Routes).Backend);
        Assert.Equal(9, ((RoutesStateChanged)there.FishForMessage(m => m is RoutesStateChanged)).Version);

        otherFeed.Tell(changed with { Version = 5 });
        var next = (BackendStateChanged)here.FishForMessage(m => m is BackendStateChanged { Version: 5 });
        Assert.Equal(("shop", 5L, "admin-api"), (next.BackendName, next.Version, next.Source));
        Assert.Equal(("127.0.0.1", 8080), (next.Backend!.Servers[0].IP, next.Backend.Servers[0].Port));
    }
}
