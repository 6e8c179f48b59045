using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>A change that reaches no writer (it stopped with the change in its mailbox) is answered, not left to time out.</summary>
public class UndeliveredCommandsActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Change_sent_to_a_stopped_writer_should_be_answered_not_stored()
    {
        var undelivered = Sys.ActorOf(UndeliveredCommandsActor.Props());
        undelivered.Tell(new Identify(null)); // answered once it has started, and so subscribed to dead letters
        ExpectMsg<ActorIdentity>();
        var writer = Sys.ActorOf(Props.Empty, "backend-gone");
        Watch(writer);
        Sys.Stop(writer);
        ExpectTerminated(writer);

        writer.Tell(new UpsertBackend(Backend("gone"), "admin-api"));
        writer.Tell("not a change");

        Assert.Contains("backend-gone", ExpectMsg<NotStored>().Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Change_remoting_could_not_send_should_be_answered_not_stored_naming_the_unreachable_node()
    {
        var undelivered = Sys.ActorOf(UndeliveredCommandsActor.Props());
        undelivered.Tell(new Identify(null));
        ExpectMsg<ActorIdentity>();

        // what remoting does with a message for a gated address: dead letters, with dead letters as its recipient
        Sys.EventStream.Publish(new DeadLetter(new RemoveBackend("gone", "admin-api"), TestActor, Sys.DeadLetters));

        var answer = ExpectMsg<NotStored>();
        Assert.StartsWith("the change reached no writer (its node cannot be reached", answer.Reason);
        Assert.DoesNotContain("journal", answer.Reason);
    }
}
