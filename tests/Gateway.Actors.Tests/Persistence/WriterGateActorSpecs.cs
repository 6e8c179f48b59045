using Akka.Actor;
using Gateway.Actors.Cluster;
using Gateway.Actors.Persistence;
using Gateway.Actors.Routes;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// The gate in front of the routes' writer on a real SQLite journal: a failed write is answered
/// "not stored", the writer is started again at once, commands that meet it restarting are held,
/// and the first change after the journal is back is stored. A writer that cannot read its journal
/// (a stand-in, which a real journal cannot be made to do on demand) is tried again while a command
/// waits, which is answered once it has waited too long, or at once when the journal stays down.
/// </summary>
public class WriterGateActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    [Fact]
    public void Gate_should_answer_every_change_while_writes_fail_and_store_the_first_one_after()
    {
        StartUndeliveredCommands(); // as on a node: changes already in a failing writer's mailbox are answered too
        var gate = Sys.ActorOf(WriterGateActor.Props(RoutesActor.Props(CreateTestProbe()), RoutesActor.Id));
        gate.Tell(new SetRoute(Route("", "/a", "api"), Admin));
        ExpectMsg<RouteAccepted>();

        using (UnwritableJournal())
        {
            // each meets a writer that fails, stops, or starts again: none may be lost (the backoff supervisor dropped these)
            for (var i = 0; i < 5; i++)
                gate.Tell(new SetRoute(Route("", $"/b{i}", "api"), Admin));
            for (var i = 0; i < 5; i++)
                Assert.Contains("journal", ExpectMsg<NotStored>().Reason);
        }

        gate.Tell(new SetRoute(Route("", "/c", "api"), Admin));
        Assert.Equal(new RouteAccepted("", "/c", 2, Changed: true), ExpectMsg<RouteAccepted>());
    }

    [Fact]
    public void Gate_should_hold_a_command_while_a_writer_that_could_not_read_its_journal_is_tried_again()
    {
        var attempts = new Attempts(failing: 2);
        var gate = Sys.ActorOf(WriterGateActor.Props(Props.Create(() => new StandInWriter(attempts)), "stand-in"));

        gate.Tell("first");

        ExpectMsg("first handled"); // a journal that just came back may fail a first read: the command waited for the third try
        Assert.Equal(3, attempts.Made);
    }

    [Fact]
    public void Gate_should_answer_not_stored_when_the_writer_cannot_read_its_journal_within_the_hold_time()
    {
        var attempts = new Attempts(failing: int.MaxValue);
        var gate = Sys.ActorOf(WriterGateActor.Props(Props.Create(() => new StandInWriter(attempts)), "stand-in"));

        gate.Tell("first");

        var answer = ExpectMsg<NotStored>(WriterGateActor.HoldTimeout + TimeSpan.FromSeconds(5));
        Assert.Equal("the stand-in writer is not available: the journal cannot read", answer.Reason);
        Assert.True(attempts.Made > 2);
    }

    [Fact]
    public void Gate_should_answer_at_once_while_the_journal_stays_down()
    {
        var attempts = new Attempts(failing: int.MaxValue);
        var gate = Sys.ActorOf(WriterGateActor.Props(Props.Create(() => new StandInWriter(attempts)), "stand-in"));

        // three tries 200 ms apart, then the journal counts as down: well before the hold time
        gate.Tell("first");
        ExpectMsg<NotStored>(WriterGateActor.HoldTimeout - TimeSpan.FromSeconds(2));
        var made = attempts.Made;
        gate.Tell("second");
        var answer = ExpectMsg<NotStored>(WriterGateActor.HoldTimeout - TimeSpan.FromSeconds(2));

        Assert.Equal("the stand-in writer is not available: the journal cannot read", answer.Reason);
        Assert.True(attempts.Made > made, "the second command was not tried"); // tried at once, not after the backoff
    }

    [Fact]
    public void Gate_should_let_a_writer_that_moves_answer_its_write_in_flight_then_stop()
    {
        var gate = Sys.ActorOf(WriterGateActor.Props(RoutesActor.Props(CreateTestProbe()), RoutesActor.Id));
        gate.Tell(new SetRoute(Route("", "/a", "api"), Admin));
        ExpectMsg<RouteAccepted>();
        Watch(gate);

        using (HeldWriteLock())
        {
            gate.Tell(new SetRoute(Route("", "/b", "api"), Admin)); // its write waits for the lock
            gate.Tell(WritersHosting.MovingWriterStop); // as the shard hands off, or the singleton hands over
            gate.Tell(new SetRoute(Route("", "/c", "api"), Admin)); // meets the gate leaving
            Assert.Equal("the routes writer is not available: it is moving to another node, try again", ExpectMsg<NotStored>().Reason);
        }

        // a PoisonPill stopped the writer with its write in flight: this answer never came
        ExpectMsg(new RouteAccepted("", "/b", 2, Changed: true));
        ExpectTerminated(gate);
    }

    [Fact]
    public void Gate_should_answer_what_it_holds_for_a_writer_that_is_not_ready_when_it_moves()
    {
        var gate = Sys.ActorOf(WriterGateActor.Props(Props.Create(() => new StandInWriter(new Attempts(failing: int.MaxValue))), "stand-in"));
        Watch(gate);

        gate.Tell("first"); // held: the writer cannot read its journal
        gate.Tell(WritersHosting.MovingWriterStop);

        Assert.Equal("the stand-in writer is not available: it is moving to another node, try again", ExpectMsg<NotStored>().Reason);
        ExpectTerminated(gate);
    }

    /// <summary>Counts starts; the first <c>failing</c> ones cannot read the journal.</summary>
    private sealed class Attempts(int failing)
    {
        private int _made;

        public int Made => _made;

        public bool Fails() => Interlocked.Increment(ref _made) <= failing;
    }

    /// <summary>A writer whose journal read fails while <see cref="Attempts"/> says so; otherwise it is ready and echoes.</summary>
    private sealed class StandInWriter : ReceiveActor
    {
        public StandInWriter(Attempts attempts)
        {
            if (attempts.Fails())
            {
                Context.Parent.Tell(new WriterStopping("stand-in", "the journal cannot read", WasReady: false));
                Context.Stop(Self);
                return;
            }
            Context.Parent.Tell(new WriterReady("stand-in"));
            Receive<string>(text => Sender.Tell($"{text} handled"));
        }
    }
}
