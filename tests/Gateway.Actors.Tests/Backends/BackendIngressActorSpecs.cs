using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Actors.Backends;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Backends;

/// <summary>
/// Where backend commands enter a node: a name HAProxy would not take is refused before any writer
/// hears of it, the seed's BackendEvent becomes its command with the sender as its source, a
/// sharding envelope is unwrapped, and the writers answer the original sender.
/// </summary>
public sealed class BackendIngressActorSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Admin = "admin-api";

    [Theory]
    [InlineData("_api")]
    [InlineData("api\nbackend evil")]
    [InlineData("-api")]
    [InlineData("../api")]
    public void BackendIngress_should_refuse_a_name_haproxy_would_not_take_before_any_writer_hears_of_it(string name)
    {
        var writers = CreateTestProbe();
        var ingress = Sys.ActorOf(BackendIngressActor.Props(writers));

        ingress.Tell(new UpsertBackend(Backend(name), Admin));
        Assert.Equal("name", Assert.Single(ExpectMsg<BackendRejected>().Errors).Field);
        ingress.Tell(new RemoveBackend(name, Admin));
        ExpectMsg(new BackendNotFound(name));
        ingress.Tell(BackendEvent.Add(Backend(name)));
        ExpectMsg<BackendRejected>();

        writers.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void BackendIngress_should_turn_the_seeds_add_update_and_delete_events_into_commands_from_their_sender()
    {
        var writers = CreateTestProbe();
        var ingress = Sys.ActorOf(BackendIngressActor.Props(writers));
        var changed = Backend("api", Server("s1", "10.0.0.9"));
        var source = $"akka:{TestActor.Path}";

        ingress.Tell(BackendEvent.Add(Backend("api")));
        Assert.Equal(new UpsertBackend(Backend("api"), source), writers.ExpectMsg<UpsertBackend>());
        writers.Reply(new BackendAccepted("api", 1, true));
        ExpectMsg(new BackendAccepted("api", 1, true)); // the writer answers the event's sender
        ingress.Tell(BackendEvent.Update(changed));
        Assert.Equal(new UpsertBackend(changed, source), writers.ExpectMsg<UpsertBackend>());
        ingress.Tell(BackendEvent.Delete("api"));
        Assert.Equal(new RemoveBackend("api", source), writers.ExpectMsg<RemoveBackend>());
    }

    [Fact]
    public void BackendIngress_should_unwrap_a_sharding_envelope()
    {
        var writers = CreateTestProbe();
        var ingress = Sys.ActorOf(BackendIngressActor.Props(writers));

        ingress.Tell(new ShardingEnvelope("api", new UpsertBackend(Backend("api"), Admin)));

        Assert.Equal(new UpsertBackend(Backend("api"), Admin), writers.ExpectMsg<UpsertBackend>());
        Assert.Equal(TestActor, writers.LastSender);
    }
}
