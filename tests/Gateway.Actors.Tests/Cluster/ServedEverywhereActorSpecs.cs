using Akka.Actor;
using Gateway.Actors.Cluster;
using Gateway.Shared.Messages;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Cluster;

/// <summary>
/// <c>?wait=true</c> for the fleet: every node's sync is asked, the answer names each node that
/// does not serve the change and why (refused, or silent past the timeout), and one slow wait
/// never holds up another.
/// </summary>
public sealed class ServedEverywhereActorSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    private IActorRef Start(params (string Node, IActorRef Sync)[] syncs)
    {
        var targets = new ServedTargets(syncs.Select(s => (s.Node, (ICanTell)s.Sync)).ToList(), ["akka.tcp://gateway@127.0.0.1:4"], true);
        return Sys.ActorOf(Props.Create(() => new ServedEverywhereActor(() => targets)));
    }

    [Fact]
    public void ServedEverywhere_should_ask_every_nodes_sync_and_answer_served_once_all_serve()
    {
        var (one, two) = (CreateTestProbe(), CreateTestProbe());
        var everywhere = Start(("node-1", one.Ref), ("node-2", two.Ref));

        everywhere.Tell(AwaitServed.Backend("shop", 3, Short));
        Assert.Equal(new AwaitApplied("shop", 3, Short), one.ExpectMsg<AwaitApplied>());
        one.Reply(new AppliedOk(3));
        two.ExpectMsg<AwaitApplied>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // node-2 has not answered yet
        two.Reply(new AppliedOk(4));

        var report = ExpectMsg<ServedReport>();
        Assert.True(report.Served);
        Assert.Equal(["node-1", "node-2"], report.Nodes.Select(n => n.Node));
        Assert.Equal(["akka.tcp://gateway@127.0.0.1:4"], report.Unreachable);
    }

    [Fact]
    public void ServedEverywhere_should_name_each_node_that_does_not_serve_the_change_and_why()
    {
        var (serves, refuses, silent) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var everywhere = Start(("node-1", serves.Ref), ("node-2", refuses.Ref), ("node-3", silent.Ref));

        everywhere.Tell(AwaitServed.Routes(7, Short));
        serves.ExpectMsg<AwaitRoutesApplied>(r => r.Version == 7);
        serves.Reply(new AppliedOk(7));
        refuses.ExpectMsg<AwaitRoutesApplied>();
        refuses.Reply(new ApplyFailed("HAProxy refused: invalid keyword"));
        silent.ExpectMsg<AwaitRoutesApplied>();

        var report = ExpectMsg<ServedReport>(Short + ServedEverywhereActor.Margin + TimeSpan.FromSeconds(20));
        Assert.False(report.Served);
        Assert.Equal(
            [new NodeServed("node-1", true, null), new NodeServed("node-2", false, "HAProxy refused: invalid keyword"),
                new NodeServed("node-3", false, "did not answer within 5 s")],
            report.Nodes);
    }

    [Fact]
    public void ServedEverywhere_should_answer_a_wait_while_an_earlier_one_still_waits()
    {
        var sync = CreateTestProbe();
        var everywhere = Start(("node-1", sync.Ref));
        var (first, second) = (CreateTestProbe(), CreateTestProbe());

        everywhere.Tell(AwaitServed.Backend("slow", 1, TimeSpan.FromSeconds(30)), first);
        sync.ExpectMsg<AwaitApplied>(a => a.BackendName == "slow");
        var slowAsker = sync.LastSender;
        everywhere.Tell(AwaitServed.Backend("fast", 1, TimeSpan.FromSeconds(30)), second);
        sync.ExpectMsg<AwaitApplied>(a => a.BackendName == "fast");
        sync.Reply(new AppliedOk(1));

        Assert.True(second.ExpectMsg<ServedReport>().Served);
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        slowAsker.Tell(new AppliedOk(1));
        Assert.True(first.ExpectMsg<ServedReport>().Served);
    }

    [Fact]
    public void ServedEverywhere_should_ask_only_its_own_sync_on_a_node_alone()
    {
        var sync = CreateTestProbe();
        var everywhere = Sys.ActorOf(ServedEverywhereActor.Props(sync.Ref, clustered: false));

        everywhere.Tell(AwaitServed.Backend("shop", 2, Short));
        sync.ExpectMsg<AwaitApplied>();
        sync.Reply(new ApplyFailed("timed out waiting for HAProxy to serve it"));

        var report = ExpectMsg<ServedReport>();
        Assert.False(report.Clustered);
        Assert.Equal([new NodeServed("this node", false, "timed out waiting for HAProxy to serve it")], report.Nodes);
    }
}
