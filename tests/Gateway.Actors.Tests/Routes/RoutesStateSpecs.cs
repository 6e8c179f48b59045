using Gateway.Actors.Routes;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Routes;

/// <summary>
/// The routes' domain logic without an actor: hostile input refused with the field named, rules
/// compared on their normalised key (host in lower case, no trailing slash), one rule per key.
/// </summary>
public class RoutesStateSpecs
{
    private const string Admin = "admin-api";

    [Theory]
    [InlineData("api.example.com\nbackend evil", "/", "host")]
    [InlineData("api example.com", "/", "host")]
    [InlineData("api.example.com", "/v1\n    http-request deny", "path")]
    [InlineData("api.example.com", "/v1;x", "path")]
    [InlineData("api.example.com", "v1", "path")]
    public void RoutesState_should_refuse_a_hostile_route_naming_the_field(string host, string path, string field)
    {
        var (reply, evt) = RoutesState.Empty.Process(new SetRoute(Route(host, path, "api"), Admin), 0);

        var rejected = Assert.IsType<RouteRejected>(reply);
        Assert.Equal(field, Assert.Single(rejected.Errors).Field);
        Assert.Null(evt);
    }

    [Fact]
    public void RoutesState_should_refuse_a_route_to_a_backend_name_haproxy_would_not_take()
    {
        var (reply, _) = RoutesState.Empty.Process(new SetRoute(Route("", "/", "api\nx"), Admin), 0);

        Assert.Equal("backend", Assert.Single(Assert.IsType<RouteRejected>(reply).Errors).Field);
    }

    [Fact]
    public void RoutesState_should_store_the_route_with_its_host_in_lower_case_and_no_trailing_slash()
    {
        var (reply, evt) = RoutesState.Empty.Process(new SetRoute(Route("API.Example.com", "/v1/", "api"), Admin), 6);

        Assert.Equal(new RouteAccepted("api.example.com", "/v1", 7, Changed: true), reply);
        Assert.Equal(new RouteSet(Route("api.example.com", "/v1", "api"), Admin), evt);
    }

    [Fact]
    public void RoutesState_should_answer_unchanged_when_the_same_rule_comes_again_spelled_differently()
    {
        var state = RoutesState.Empty.Apply(new RouteSet(Route("api.example.com", "/v1", "api"), Admin));

        var (reply, evt) = state.Process(new SetRoute(Route("Api.Example.COM", "/v1//", "api"), "provider:x"), 1);

        Assert.Equal(new RouteAccepted("api.example.com", "/v1", 1, Changed: false), reply);
        Assert.Null(evt);
    }

    [Fact]
    public void RoutesState_should_replace_the_rule_of_the_same_key_when_it_points_at_another_backend()
    {
        var state = RoutesState.Empty.Apply(new RouteSet(Route("api.example.com", "/v1", "api"), Admin));

        var (reply, evt) = state.Process(new SetRoute(Route("api.example.com", "/v1/", "api-v2"), Admin), 1);
        var after = state.Apply(evt!);

        Assert.Equal(new RouteAccepted("api.example.com", "/v1", 2, Changed: true), reply);
        Assert.Equal([Route("api.example.com", "/v1", "api-v2")], after.List);
    }

    [Fact]
    public void RoutesState_should_remove_a_route_by_its_normalised_key()
    {
        var state = RoutesState.Empty.Apply(new RouteSet(Route("api.example.com", "/v1", "api"), Admin));

        var (reply, evt) = state.Process(new RemoveRoute("API.example.com", "/v1/", Admin), 1);

        Assert.Equal(new RouteAccepted("api.example.com", "/v1", 2, Changed: true), reply);
        Assert.Empty(state.Apply(evt!).List);
    }

    [Fact]
    public void RoutesState_should_answer_not_found_when_removing_a_route_that_does_not_exist()
    {
        var (reply, evt) = RoutesState.Empty.Process(new RemoveRoute("api.example.com", "/v1", Admin), 0);

        Assert.Equal(new RouteNotFound("api.example.com", "/v1"), reply);
        Assert.Null(evt);
    }

    [Fact]
    public void RoutesState_should_list_routes_by_host_then_path_and_come_back_equal_from_its_snapshot()
    {
        var state = RoutesState.Empty
            .Apply(new RouteSet(Route("b.example.com", "/", "b"), Admin))
            .Apply(new RouteSet(Route("a.example.com", "/z", "a"), Admin))
            .Apply(new RouteSet(Route("a.example.com", "/a", "a"), Admin))
            .Apply(new RouteSet(Route("", "/", "web"), Admin));

        var restored = RoutesState.FromSnapshot(state.ToSnapshot());

        Assert.Equal(["/", "a.example.com/a", "a.example.com/z", "b.example.com/"], state.List.Select(r => r.Host + r.Path));
        Assert.Equal(state.List, restored.List);
    }
}
