using Akka.Actor;
using Akka.TestKit;
using Gateway.Actors.Routes;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Routes;

/// <summary>
/// The routes' single writer on a real SQLite journal: validates and normalises, replaces by key,
/// stores nothing for an unchanged rule, reports each version to the desired-state view and comes
/// back from the journal as it was.
/// </summary>
public class RoutesActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    private (IActorRef Routes, TestProbe Desired) Start()
    {
        var desired = CreateTestProbe();
        var routes = Sys.ActorOf(RoutesActor.Props(desired));
        var recovered = desired.ExpectMsg<RoutesStateChanged>();
        Assert.Equal(0, recovered.Version);
        Assert.Empty(recovered.Routes);
        return (routes, desired);
    }

    [Fact]
    public void RoutesActor_should_refuse_a_hostile_host_naming_the_field_and_keep_running()
    {
        var (routes, _) = Start();

        routes.Tell(new SetRoute(Route("evil.example.com\nbackend x", "/", "api"), Admin));
        var rejected = ExpectMsg<RouteRejected>();
        routes.Tell(new SetRoute(Route("api.example.com", "/", "api"), Admin));

        Assert.Equal("host", Assert.Single(rejected.Errors).Field);
        ExpectMsg(new RouteAccepted("api.example.com", "", 1, Changed: true));
    }

    [Fact]
    public void RoutesActor_should_refuse_a_hostile_path_naming_the_field()
    {
        var (routes, _) = Start();

        routes.Tell(new SetRoute(Route("", "/a b", "api"), Admin));

        Assert.Equal("path", Assert.Single(ExpectMsg<RouteRejected>().Errors).Field);
        Assert.Empty(JournalRows(RoutesActor.Id));
    }

    [Fact]
    public void RoutesActor_should_normalise_and_publish_the_routes_when_a_route_is_set()
    {
        var (routes, desired) = Start();

        routes.Tell(new SetRoute(Route("API.example.com", "/v1/", "api"), Admin));

        ExpectMsg(new RouteAccepted("api.example.com", "/v1", 1, Changed: true));
        var published = desired.ExpectMsg<RoutesStateChanged>();
        Assert.Equal(1, published.Version);
        Assert.Equal([Route("api.example.com", "/v1", "api")], published.Routes);
    }

    [Fact]
    public void RoutesActor_should_reply_unchanged_and_persist_nothing_when_the_rule_is_already_there()
    {
        var (routes, desired) = Start();
        routes.Tell(new SetRoute(Route("api.example.com", "/v1", "api"), Admin));
        ExpectMsg<RouteAccepted>();
        desired.ExpectMsg<RoutesStateChanged>();

        routes.Tell(new SetRoute(Route("api.example.com", "/v1/", "api"), Admin));

        ExpectMsg(new RouteAccepted("api.example.com", "/v1", 1, Changed: false));
        Assert.Single(JournalRows(RoutesActor.Id));
        routes.Tell(GetRoutes.Instance); // answered once the actor is done with the upsert: anything it published is queued
        ExpectMsg<RoutesList>();
        desired.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void RoutesActor_should_replace_the_rule_with_the_same_key_and_list_it_once()
    {
        var (routes, _) = Start();
        routes.Tell(new SetRoute(Route("api.example.com", "/v1", "api"), Admin));
        ExpectMsg<RouteAccepted>();

        routes.Tell(new SetRoute(Route("api.example.com", "/v1", "api-v2"), Admin));
        ExpectMsg(new RouteAccepted("api.example.com", "/v1", 2, Changed: true));
        routes.Tell(GetRoutes.Instance);

        var list = ExpectMsg<RoutesList>();
        Assert.Equal(2, list.Version);
        Assert.Equal([Route("api.example.com", "/v1", "api-v2")], list.Routes);
    }

    [Fact]
    public void RoutesActor_should_accept_removing_an_existing_route_and_answer_not_found_for_a_missing_one()
    {
        var (routes, desired) = Start();
        routes.Tell(new SetRoute(Route("api.example.com", "/v1", "api"), Admin));
        ExpectMsg<RouteAccepted>();
        desired.ExpectMsg<RoutesStateChanged>();

        routes.Tell(new RemoveRoute("api.example.com", "/v1", Admin));
        ExpectMsg(new RouteAccepted("api.example.com", "/v1", 2, Changed: true));
        routes.Tell(new RemoveRoute("api.example.com", "/v1", Admin));
        ExpectMsg(new RouteNotFound("api.example.com", "/v1"));

        var published = desired.ExpectMsg<RoutesStateChanged>();
        Assert.Equal(2, published.Version);
        Assert.Empty(published.Routes);
        Assert.Equal(["route-set.v1", "route-removed.v1"], JournalRows(RoutesActor.Id).Select(r => r.Manifest));
    }

    [Fact]
    public void RoutesActor_should_publish_and_list_its_recovered_routes_when_started_again_on_the_same_journal()
    {
        var (routes, _) = Start();
        routes.Tell(new SetRoute(Route("api.example.com", "/v1", "api"), Admin));
        routes.Tell(new SetRoute(Route("", "/", "web"), Admin));
        routes.Tell(new SetRoute(Route("old.example.com", "/", "web"), Admin));
        routes.Tell(new RemoveRoute("old.example.com", "/", Admin));
        ReceiveN(4);
        Watch(routes);
        Sys.Stop(routes);
        ExpectTerminated(routes);

        var desired = CreateTestProbe();
        var again = Sys.ActorOf(RoutesActor.Props(desired));

        var recovered = desired.ExpectMsg<RoutesStateChanged>();
        Assert.Equal(4, recovered.Version);
        Assert.Equal([Route("", "", "web"), Route("api.example.com", "/v1", "api")], recovered.Routes);
        again.Tell(GetRoutes.Instance);
        Assert.Equal(recovered.Routes, ExpectMsg<RoutesList>(l => l.Version == 4).Routes);
    }
}
