using Akka.Actor;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Health;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.DesiredState;

/// <summary>
/// The node's view of the desired state: newest version wins whatever the arrival order, deletes
/// disappear, reads are ordered, subscribers get a snapshot then each change, and "recovered" is
/// said once — when the catalog (every backend read from the journal) and the routes are in.
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

    private static BackendCatalogActor.Catalog Catalog(params (string Name, long Version, Backend? Backend)[] entries) =>
        new(entries.Select(e => new CatalogEntry(e.Name, e.Version, e.Backend, "admin-api")).ToList(), Offset: 42);

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
        desired.Tell(new RoutesStateChanged(0, []));
        foreach (var name in new[] { "web", "api" })
            desired.Tell(Changed(name, 1, Backend(name)));

        desired.Tell(GetBackends.Instance);
        var before = ExpectMsg<BackendsList>();
        desired.Tell(Catalog(("Zeta", 1, Backend("Zeta"))));
        desired.Tell(GetBackends.Instance);
        var after = ExpectMsg<BackendsList>();

        Assert.False(before.Recovered);
        Assert.Equal(["api", "web"], before.Backends.Select(b => b.Backend.Name));
        Assert.True(after.Recovered);
        Assert.Equal(["Zeta", "api", "web"], after.Backends.Select(b => b.Backend.Name));
    }

    [Fact]
    public void DesiredState_should_keep_a_change_newer_than_the_catalog_whichever_came_first()
    {
        var desired = Start();
        desired.Tell(Changed("api", 5, Backend("api", Server("s1", "10.0.0.5"))));

        desired.Tell(Catalog(("api", 4, Backend("api", Server("s1", "10.0.0.4"))), ("web", 2, null)));
        desired.Tell(Changed("web", 1, Backend("web")));
        desired.Tell(GetBackends.Instance);

        var api = Assert.Single(ExpectMsg<BackendsList>().Backends);
        Assert.Equal(5, api.Version);
        Assert.Equal("10.0.0.5", api.Backend.Servers[0].IP);
    }

    [Fact]
    public void DesiredState_should_ask_the_catalog_and_the_routes_writer_at_start_and_recover_from_their_answers()
    {
        var catalog = CreateTestProbe();
        var routes = CreateTestProbe();
        var desired = Sys.ActorOf(DesiredStateActor.Props(catalog, routes));
        var subscriber = CreateTestProbe();
        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        subscriber.ExpectMsg<DesiredStateActor.Snapshot>(s => !s.Recovered);

        catalog.ExpectMsg<BackendCatalogActor.GetCatalog>();
        routes.ExpectMsg<GetRoutes>();
        catalog.Reply(Catalog(("api", 3, Backend("api"))));
        routes.Reply(new RoutesList(7, [Route("", "/", "api")]));

        subscriber.ExpectMsg<BackendStateChanged>(c => c.BackendName == "api" && c.Version == 3);
        subscriber.ExpectMsg<RoutesStateChanged>(c => c.Version == 7);
        var recovered = subscriber.ExpectMsg<DesiredStateActor.Recovered>().State;
        Assert.Equal(["api"], recovered.Backends.Keys);
        Assert.Equal([Route("", "/", "api")], recovered.Routes);
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
    public void DesiredState_should_say_recovered_once_when_the_catalog_and_the_routes_are_in()
    {
        var desired = Start();
        var subscriber = CreateTestProbe();
        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        subscriber.ExpectMsg<DesiredStateActor.Snapshot>(s => !s.Recovered);

        desired.Tell(Catalog(("api", 2, Backend("api")), ("web", 3, null)));
        subscriber.ExpectMsg<BackendStateChanged>(c => c.BackendName == "api");
        subscriber.ExpectMsg<BackendStateChanged>(c => c.BackendName == "web");
        AssertNothingMoreFor(desired, subscriber);
        desired.Tell(new RoutesStateChanged(5, []));
        desired.Tell(Changed("api", 3, Backend("api", Server("s1", "10.0.0.9"))));
        desired.Tell(new RoutesStateChanged(5, [])); // the writer's own report of what the view already has

        subscriber.ExpectMsg<RoutesStateChanged>();
        var recovered = subscriber.ExpectMsg<DesiredStateActor.Recovered>().State;
        Assert.True(recovered.Recovered);
        Assert.Equal(["api"], recovered.Backends.Keys);
        Assert.Equal(5, recovered.RoutesVersion);
        subscriber.ExpectMsg<BackendStateChanged>(c => c.BackendName == "api" && c.Version == 3);
        AssertNothingMoreFor(desired, subscriber);
    }

    [Fact]
    public void DesiredState_should_not_say_recovered_before_the_routes_are_in()
    {
        var desired = Start();
        var subscriber = CreateTestProbe();
        desired.Tell(new DesiredStateActor.Subscribe(subscriber));
        subscriber.ExpectMsg<DesiredStateActor.Snapshot>();

        desired.Tell(Catalog());
        AssertNothingMoreFor(desired, subscriber);
        desired.Tell(GetStartupStatus.Instance);
        Assert.Equal("the routes", ExpectMsg<StartupStatus>().WaitingFor);
        desired.Tell(new RoutesStateChanged(0, []));

        subscriber.ExpectMsg<RoutesStateChanged>();
        subscriber.ExpectMsg<DesiredStateActor.Recovered>();
        desired.Tell(GetStartupStatus.Instance);
        Assert.True(ExpectMsg<StartupStatus>().Done);
    }

    [Fact]
    public void DesiredState_should_not_say_recovered_before_the_catalog_is_in()
    {
        var desired = Start();
        desired.Tell(Changed("api", 1, Backend("api")));
        desired.Tell(new RoutesStateChanged(0, []));

        desired.Tell(GetBackends.Instance);
        desired.Tell(GetStartupStatus.Instance);

        Assert.False(ExpectMsg<BackendsList>().Recovered);
        Assert.Contains("backend catalog", ExpectMsg<StartupStatus>().WaitingFor);
    }

    [Fact]
    public void DesiredState_should_give_a_late_subscriber_a_snapshot_marked_recovered()
    {
        var desired = Start();
        desired.Tell(Catalog());
        desired.Tell(new RoutesStateChanged(0, []));
        var subscriber = CreateTestProbe();

        desired.Tell(new DesiredStateActor.Subscribe(subscriber));

        Assert.True(subscriber.ExpectMsg<DesiredStateActor.Snapshot>().Recovered);
        AssertNothingMoreFor(desired, subscriber);
    }
}
