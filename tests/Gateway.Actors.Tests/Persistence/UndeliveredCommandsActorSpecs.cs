using Akka.Actor;
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
}
