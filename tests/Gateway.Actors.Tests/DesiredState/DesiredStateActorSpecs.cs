using Akka.Actor;
using Gateway.Actors.DesiredState;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.DesiredState;

/// <summary>
/// The node's view of the desired state: newest version wins whatever the arrival order, deletes
/// disappear, reads are ordered, subscribers get a snapshot then each change, and "recovered" is
/// said once — when every backend the journal knows and the routes have reported.
/// </summary>
public class DesiredStateActorSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private IActorRef Start() => Sys.ActorOf(DesiredStateActor.Props());

    /// <summary>
    /// Asserts the subscriber got nothing more: once the view has answered a read sent after the
    /// last input, everything it told the subscriber while handling that input is already queued.
    /// </summary>
    private void AssertNothingMoreFor(IActorRef desired, Akka.TestKit.TestProbe subscriber)
    {
        var probe = CreateTestProbe();
        desired.Tell(GetBackends.Instance, probe);
        probe.ExpectMsg<BackendsList>();
        subscriber.ExpectNoMsg(TimeSpan.Zero);
    }

    private static BackendStateChanged Changed(string name, long version, Backend? backend = null, string source = "admin-api") =>
        new(name, version, backend, source);

    [Fact]
    public void DesiredState_should_keep_the_newest_version_when_an_older_report_arrives_later()
    {
        var desired = Start();
        var newest = Backend("api", Server("s1", "10.0.0.3"));

        desired.Tell(Changed("api", 3, newest));
        desired.Tell(Changed("api", 2, Backend("api", Server("s1", "10.0.0.2"))));
        desired.Tell(new GetBackend("api"));

        var found = ExpectMsg<BackendFound>().Backend;
        Assert.Equal(3, found.Version);
        Assert.Equal(newest, found.Backend);
        Assert.Equal("admin-api", found.Source);
    }

    [Fact]
    public void DesiredState_should_forget_a_backend_reported_deleted()
    {
        var desired = Start();
        desired.Tell(Changed("api", 1, Backend("api")));
        desired.Tell(Changed("web", 1, Backend("web")));

        desired.Tell(Changed("api", 2));
        desired.Tell(new GetBackend("api"));
        desired.Tell(GetBackends.Instance);

        ExpectMsg(new BackendNotFound("api"));
        Assert.Equal(["web"], ExpectMsg<BackendsList>().Backends.Select(b => b.Backend.Name));
    }

    [Fact]
    public void DesiredState_should_list_backends_ordered_by_name_and_say_whether_it_has_recovered()
    {
        var desired = Start();
        desired.Tell(new DesiredStateActor.ExpectBackends(["web", "api", "Zeta"]));
        desired.Tell(new RoutesStateChanged(0, []));
        foreach (var name in new[] { "web", "api" })
            desired.Tell(Changed(name, 1, Backend(name)));

        desired.Tell(GetBackends.Instance);
        var before = ExpectMsg<BackendsList>();
        desired.Tell(Changed("Zeta", 1, Backend("Zeta")));
        desired.Tell(GetBackends.Instance);
        var after = ExpectMsg<BackendsList>();

        Assert.False(before.Recovered);
        Assert.Equal(["api", "web"], before.Backends.Select(b => b.Backend.Name));
        Assert.True(after.Recovered);
        Assert.Equal(["Zeta", "api", "web"], after.Backends.Select(b => b.Backend.Name));
    }

    [Fact]
    public void DesiredState_should_send_a_subscriber_a_snapshot_then_every_newer_change()
    {
        var desired = Start();
        desired.Tell(Changed("api", 1, Backend("api")));
        desired.Tell(new RoutesStateChanged(1, [Route("", "/", "api")]));
        var subscriber = CreateTestProbe();

        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        desired.Tell(Changed("web", 1, Backend("web")));
        desired.Tell(Changed("api", 1, Backend("api"))); // a repeat: not passed on
        desired.Tell(new RoutesStateChanged(2, []));

        var snapshot = subscriber.ExpectMsg<DesiredStateActor.Snapshot>();
        Assert.Equal(["api"], snapshot.Backends.Keys);
        Assert.Equal(1, snapshot.Backends["api"].Version);
        Assert.Equal(1, snapshot.RoutesVersion);
        Assert.Equal([Route("", "/", "api")], snapshot.Routes);
        Assert.False(snapshot.Recovered);
        Assert.Equal("web", subscriber.ExpectMsg<BackendStateChanged>().BackendName);
        Assert.Equal(2, subscriber.ExpectMsg<RoutesStateChanged>().Version);
        AssertNothingMoreFor(desired, subscriber);
    }

    [Fact]
    public void DesiredState_should_say_recovered_once_when_the_expected_backends_and_the_routes_have_reported()
    {
        var desired = Start();
        var subscriber = CreateTestProbe();
        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        subscriber.ExpectMsg<DesiredStateActor.Snapshot>(s => !s.Recovered);

        desired.Tell(new DesiredStateActor.ExpectBackends(["api", "web"]));
        desired.Tell(Changed("api", 2, Backend("api")));
        desired.Tell(new RoutesStateChanged(5, []));
        subscriber.ExpectMsg<BackendStateChanged>();
        subscriber.ExpectMsg<RoutesStateChanged>();
        AssertNothingMoreFor(desired, subscriber);
        desired.Tell(Changed("web", 3)); // a backend that recovered as deleted reports too
        desired.Tell(Changed("api", 3, Backend("api", Server("s1", "10.0.0.9"))));

        subscriber.ExpectMsg<BackendStateChanged>(c => c.BackendName == "web");
        var recovered = subscriber.ExpectMsg<DesiredStateActor.Recovered>().State;
        Assert.True(recovered.Recovered);
        Assert.Equal(["api"], recovered.Backends.Keys);
        Assert.Equal(5, recovered.RoutesVersion);
        subscriber.ExpectMsg<BackendStateChanged>(c => c.BackendName == "api" && c.Version == 3);
        AssertNothingMoreFor(desired, subscriber);
    }

    [Fact]
    public void DesiredState_should_say_recovered_when_the_expected_list_arrives_after_every_backend_reported()
    {
        var desired = Start();
        var subscriber = CreateTestProbe();
        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        subscriber.ExpectMsg<DesiredStateActor.Snapshot>();
        desired.Tell(Changed("api", 1, Backend("api")));
        desired.Tell(new RoutesStateChanged(0, []));
        subscriber.ExpectMsg<BackendStateChanged>();
        subscriber.ExpectMsg<RoutesStateChanged>();

        desired.Tell(new DesiredStateActor.ExpectBackends(["api"]));

        Assert.True(subscriber.ExpectMsg<DesiredStateActor.Recovered>().State.Recovered);
    }

    [Fact]
    public void DesiredState_should_not_say_recovered_before_the_routes_have_reported()
    {
        var desired = Start();
        var subscriber = CreateTestProbe();
        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        subscriber.ExpectMsg<DesiredStateActor.Snapshot>();

        desired.Tell(new DesiredStateActor.ExpectBackends([]));
        AssertNothingMoreFor(desired, subscriber);
        desired.Tell(new RoutesStateChanged(0, []));

        subscriber.ExpectMsg<RoutesStateChanged>();
        subscriber.ExpectMsg<DesiredStateActor.Recovered>();
    }

    [Fact]
    public void DesiredState_should_not_say_recovered_before_it_knows_which_backends_to_expect()
    {
        var desired = Start();
        desired.Tell(Changed("api", 1, Backend("api")));
        desired.Tell(new RoutesStateChanged(0, []));

        desired.Tell(GetBackends.Instance);

        Assert.False(ExpectMsg<BackendsList>().Recovered);
    }

    [Fact]
    public void DesiredState_should_give_a_late_subscriber_a_snapshot_marked_recovered()
    {
        var desired = Start();
        desired.Tell(new DesiredStateActor.ExpectBackends([]));
        desired.Tell(new RoutesStateChanged(0, []));
        var subscriber = CreateTestProbe();

        desired.Tell(new DesiredStateActor.Subscribe(subscriber));

        Assert.True(subscriber.ExpectMsg<DesiredStateActor.Snapshot>().Recovered);
        AssertNothingMoreFor(desired, subscriber);
    }
}
