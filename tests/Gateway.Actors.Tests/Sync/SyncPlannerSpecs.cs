using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// What HAProxy can take at runtime and what needs a reload, decided backend by backend from the
/// applied and the desired versions: servers' address, weight and admin state, servers added and
/// removed go out as runtime commands; backends added, removed or with other settings changed
/// (and those whose runtime commands failed) reload, with a reason; route maps change at runtime
/// only when no reload is planned.
/// </summary>
public class SyncPlannerSpecs
{
    private static readonly IReadOnlySet<string> NoForce = new HashSet<string>();
    private static readonly IReadOnlySet<ServerRef> NoPending = new HashSet<ServerRef>();

    private static Dictionary<string, VersionedBackend> State(params (Backend Backend, long Version)[] backends) =>
        backends.ToDictionary(b => b.Backend.Name, b => new VersionedBackend(b.Backend, b.Version), StringComparer.Ordinal);

    private static SyncPlan Plan(Dictionary<string, VersionedBackend> applied, Dictionary<string, VersionedBackend> desired,
        IReadOnlySet<string>? force = null, IReadOnlySet<ServerRef>? pending = null, IReadOnlyList<Route>? routes = null,
        RouteMapsContent? appliedMaps = null) =>
        SyncPlanner.Plan(applied, desired, force ?? NoForce, pending ?? NoPending, routes ?? [],
            appliedMaps ?? SyncPlanner.BuildMaps(routes ?? [], applied.Keys));

    /// <summary>The plan when the routes go from <paramref name="before"/> (their maps and lookup live) to <paramref name="after"/>, backends unchanged.</summary>
    private static SyncPlan RoutesChanged(IReadOnlyDictionary<string, VersionedBackend> state, Route[] before, Route[] after) =>
        SyncPlanner.Plan(state, state, NoForce, NoPending, after, SyncPlanner.BuildMaps(before, state.Keys),
            lookup: (RouteLookup.Of(before), RouteLookup.Of(after)));

    private static IReadOnlyList<string> Commands(SyncPlan plan) =>
        Assert.Single(plan.Runtime).Commands.Select(c => c.Text).ToList();

    [Fact]
    public void SyncPlanner_should_plan_a_reload_with_its_reason_when_a_backend_is_added()
    {
        var plan = Plan(State((Backend("api"), 1)), State((Backend("api"), 1), (Backend("web"), 1)));

        Assert.Equal(["web"], plan.Structural);
        Assert.Equal("backend added: web", plan.ReloadReason);
        Assert.True(plan.NeedsReload);
        Assert.Empty(plan.Runtime);
    }

    [Fact]
    public void SyncPlanner_should_plan_a_reload_with_its_reason_when_a_backend_is_removed()
    {
        var plan = Plan(State((Backend("api"), 1), (Backend("web"), 1)), State((Backend("api"), 1)));

        Assert.Equal(["web"], plan.Structural);
        Assert.Equal("backend removed: web", plan.ReloadReason);
    }

    public static TheoryData<string, Backend> SettingsChanges => new()
    {
        { "balance", Backend("api") with { Balance = BalanceAlgorithm.LeastConn } },
        { "protocol", Backend("api") with { Protocol = ServerProtocol.H2c } },
        { "health check path", Backend("api") with { HealthCheck = new HealthCheck { Path = "/health" } } },
        { "health check off", Backend("api") with { HealthCheck = new HealthCheck { Enabled = false } } },
        { "health check interval", Backend("api") with { HealthCheck = new HealthCheck { Interval = TimeSpan.FromSeconds(5) } } },
        { "keep client scheme", Backend("api") with { Protocol = ServerProtocol.H2c, KeepClientScheme = true } },
        { "http-reuse", Backend("api") with { HttpReuse = HttpReuse.Aggressive } },
    };

    [Theory]
    [MemberData(nameof(SettingsChanges))]
    public void SyncPlanner_should_plan_a_reload_when_a_backend_level_setting_changes(string setting, Backend changed)
    {
        var before = changed.KeepClientScheme ? changed with { KeepClientScheme = false } : Backend("api");

        var plan = Plan(State((before, 1)), State((changed, 2)));

        Assert.True(plan.NeedsReload, setting);
        Assert.Equal(["api"], plan.Structural);
        Assert.Equal("backend settings changed: api", plan.ReloadReason);
        Assert.Empty(plan.Runtime);
    }

    [Fact]
    public void SyncPlanner_should_plan_a_reload_when_the_tls_settings_change()
    {
        var h2 = Backend("api") with { Protocol = ServerProtocol.H2, Tls = new TlsSettings { Sni = "api.internal" } };

        var plan = Plan(State((h2, 1)), State((h2 with { Tls = new TlsSettings { Sni = "api.internal", Verify = false } }, 2)));

        Assert.Equal("backend settings changed: api", plan.ReloadReason);
    }

    [Fact]
    public void SyncPlanner_should_plan_a_move_both_ways_when_the_address_of_a_server_in_the_rotation_changes()
    {
        var plan = Plan(State((Backend("api", Server("s1", "10.0.0.1", 8080)), 1)), State((Backend("api", Server("s1", "10.0.0.7", 9090, weight: 3)), 2)));

        Assert.Empty(Commands(plan)); // chosen when the round runs: is there a connection to move?
        var move = Assert.Single(plan.Runtime[0].Moves);
        Assert.Equal(
            [
                $"add server api/s1:moving 10.0.0.7:9090 check inter 2s weight 3 {RuntimeCommands.DynamicServerDefaults}",
                "enable health api/s1:moving",
                "set server api/s1:moving state ready",
            ], move.Start.Select(c => c.Text));
        Assert.Equal(["set server api/s1 addr 10.0.0.7 port 9090", "set weight api/s1 3"], move.Direct.Select(c => c.Text));
        Assert.Equal(("api", "s1", "10.0.0.7", 9090, "s1:moving"), (move.Backend, move.Target.Name, move.Target.IP, move.Target.Port, move.Twin));
        Assert.False(plan.NeedsReload);
        Assert.Equal(2, plan.Runtime[0].Version);
        Assert.Empty(plan.Runtime[0].Removals);
    }

    [Theory]
    [InlineData(ServerAdminState.Maint, ServerAdminState.Ready)]
    [InlineData(ServerAdminState.Ready, ServerAdminState.Maint)]
    public void SyncPlanner_should_set_the_address_in_one_command_when_the_server_is_in_maint_before_or_after(ServerAdminState before, ServerAdminState after)
    {
        var plan = Plan(State((Backend("api", Server("s1", "10.0.0.1", 8080, state: before)), 1)),
            State((Backend("api", Server("s1", "10.0.0.7", 9090, state: after)), 2)));

        Assert.Equal(["set server api/s1 addr 10.0.0.7 port 9090", $"set server api/s1 state {RuntimeCommands.StateKeyword(after)}"], Commands(plan));
        Assert.Empty(plan.Runtime[0].Moves);
    }

    [Fact]
    public void SyncPlanner_should_name_a_twin_apart_from_one_still_waiting_for_its_removal()
    {
        var pending = new HashSet<ServerRef> { new("api", "s1:moving"), new("api", "s1:moving2") };

        var plan = Plan(State((Backend("api", Server("s1", "10.0.0.1")), 1)), State((Backend("api", Server("s1", "10.0.0.7")), 2)), pending: pending);

        Assert.Equal("s1:moving3", Assert.Single(plan.Runtime[0].Moves).Twin);
    }

    [Fact]
    public void SyncPlanner_should_set_the_weight_at_runtime_when_a_servers_weight_changes()
    {
        var plan = Plan(State((Backend("api", Server("s1")), 1)), State((Backend("api", Server("s1", weight: 5)), 2)));

        Assert.Equal(["set weight api/s1 5"], Commands(plan));
        Assert.False(plan.NeedsReload);
    }

    [Fact]
    public void SyncPlanner_should_set_the_admin_state_at_runtime_when_a_server_drains()
    {
        var plan = Plan(State((Backend("api", Server("s1")), 1)), State((Backend("api", Server("s1", state: ServerAdminState.Drain)), 2)));

        Assert.Equal(["set server api/s1 state drain"], Commands(plan));
    }

    [Fact]
    public void SyncPlanner_should_add_a_server_with_its_health_check_and_make_it_ready_when_a_server_is_added()
    {
        var plan = Plan(State((Backend("api", Server("s1")), 1)), State((Backend("api", Server("s1"), Server("s2", "10.0.0.2")), 2)));

        var commands = Commands(plan);
        Assert.Equal(3, commands.Count);
        Assert.StartsWith("add server api/s2 10.0.0.2:8080 check", commands[0]);
        Assert.Equal("enable health api/s2", commands[1]);
        Assert.Equal("set server api/s2 state ready", commands[2]);
        Assert.False(plan.NeedsReload);
    }

    [Fact]
    public void SyncPlanner_should_list_a_removed_server_for_graceful_removal_without_a_reload()
    {
        var plan = Plan(State((Backend("api", Server("s1"), Server("s2", "10.0.0.2")), 1)), State((Backend("api", Server("s1")), 2)));

        var step = Assert.Single(plan.Runtime);
        Assert.Equal(["s2"], step.Removals);
        Assert.Empty(step.Commands);
        Assert.False(plan.NeedsReload);
    }

    [Fact]
    public void SyncPlanner_should_reuse_a_server_still_pending_removal_when_it_is_added_again()
    {
        var pending = new HashSet<ServerRef> { new("api", "s2") };

        var plan = Plan(State((Backend("api", Server("s1")), 2)), State((Backend("api", Server("s1"), Server("s2", "10.0.0.2", weight: 3)), 3)),
            pending: pending);

        Assert.Equal(
            ["set server api/s2 addr 10.0.0.2 port 8080", "set weight api/s2 3", "set server api/s2 state ready"],
            Commands(plan));
    }

    [Fact]
    public void SyncPlanner_should_reload_a_backend_whose_runtime_change_failed_even_at_the_applied_version()
    {
        var plan = Plan(State((Backend("api"), 2)), State((Backend("api"), 2)), force: new HashSet<string> { "api" });

        Assert.Equal(["api"], plan.Structural);
        Assert.Equal("runtime change failed: api", plan.ReloadReason);
        Assert.Empty(plan.Runtime);
    }

    [Fact]
    public void SyncPlanner_should_plan_nothing_when_every_version_is_applied()
    {
        var routes = new[] { Route("", "/", "api") };

        var plan = Plan(State((Backend("api"), 4), (Backend("web"), 1)), State((Backend("api"), 4), (Backend("web"), 1)), routes: routes);

        Assert.Empty(plan.Runtime);
        Assert.Empty(plan.Structural);
        Assert.Null(plan.ReloadReason);
        Assert.Null(plan.Maps);
        Assert.False(plan.HasRuntimeWork);
    }

    [Fact]
    public void SyncPlanner_should_replace_the_maps_at_runtime_and_not_reload_when_only_routes_changed()
    {
        var state = State((Backend("api"), 1), (Backend("web"), 1));
        var before = new[] { Route("", "/", "web") };
        var after = new[] { Route("", "/", "web"), Route("API.example.com", "/v1/", "api"), Route("", "/static", "web"), Route("", "/x", "missing") };

        var plan = Plan(state, state, routes: after, appliedMaps: SyncPlanner.BuildMaps(before, state.Keys));

        Assert.False(plan.NeedsReload);
        var maps = Assert.IsType<RouteMapsContent>(plan.Maps);
        Assert.Equal([new RouteMaps.Entry("api.example.com/v1/", "api")], maps.HostPath);
        Assert.Equal([new RouteMaps.Entry("/static/", "web"), new RouteMaps.Entry("/x/", RouteMaps.MissingBackend), new RouteMaps.Entry("/", "web")],
            maps.Path);
    }

    [Fact]
    public void SyncPlanner_should_reload_when_the_routes_need_another_lookup_and_still_replace_the_maps_at_runtime()
    {
        var state = State((Backend("api"), 1), (Backend("web"), 1));
        var before = new[] { Route("", "/", "web") };
        var after = new[] { Route("", "/", "web"), Route("api.example.com", "", "api") };

        var plan = RoutesChanged(state, before, after);

        Assert.True(plan.NeedsReload);
        Assert.Equal("route lookup changed: catch-all web → host, catch-all web", plan.ReloadReason);
        Assert.Empty(plan.Structural);
        var maps = Assert.IsType<RouteMapsContent>(plan.Maps); // built at once; the host map is loaded by the reload
        Assert.Equal([new RouteMaps.Entry("api.example.com/", "api")], maps.HostPath);
    }

    [Fact]
    public void SyncPlanner_should_not_reload_for_routes_that_keep_the_lookup()
    {
        var state = State((Backend("api"), 1), (Backend("web"), 1));
        var before = new[] { Route("", "/", "web"), Route("", "/static", "web") };
        var after = new[] { Route("", "/", "api"), Route("", "/static", "web"), Route("", "/x", "api") };
        var hostsBefore = new[] { Route("api.example.com", "", "api") };
        var hostsAfter = new[] { Route("api.example.com", "", "web"), Route("www.example.com", "", "web") };

        var paths = RoutesChanged(state, before, after);
        var hosts = RoutesChanged(state, hostsBefore, hostsAfter);

        Assert.False(paths.NeedsReload);
        Assert.NotNull(paths.Maps);
        Assert.False(hosts.NeedsReload);
        Assert.NotNull(hosts.Maps);
    }

    [Fact]
    public void SyncPlanner_should_reload_when_the_catch_all_route_moves_to_another_backend()
    {
        var state = State((Backend("api"), 1), (Backend("web"), 1));
        var before = new[] { Route("", "/", "web") };
        var after = new[] { Route("", "/", "api") };

        var plan = RoutesChanged(state, before, after);

        Assert.True(plan.NeedsReload);
        Assert.Equal("route lookup changed: catch-all web → catch-all api", plan.ReloadReason);
    }

    [Fact]
    public void SyncPlanner_should_keep_the_routes_of_a_backend_being_added_on_the_503_backend_until_its_reload()
    {
        var routes = new[] { Route("", "/", "api"), Route("", "/web", "web") };
        var applied = State((Backend("api"), 1));

        var plan = Plan(applied, State((Backend("api"), 1), (Backend("web"), 1)), routes: routes,
            appliedMaps: SyncPlanner.BuildMaps(routes, applied.Keys));

        Assert.True(plan.NeedsReload);
        Assert.Null(plan.Maps); // the reload that adds "web" loads map files rendered with it
        Assert.Equal([new RouteMaps.Entry("/web/", RouteMaps.MissingBackend), new RouteMaps.Entry("/", "api")],
            SyncPlanner.BuildMaps(routes, applied.Keys).Path);
    }

    [Fact]
    public void SyncPlanner_should_point_the_routes_of_a_deleted_backend_at_the_503_backend_at_runtime_while_its_reload_waits()
    {
        var routes = new[] { Route("", "/", "api"), Route("", "/web", "web") };
        var applied = State((Backend("api"), 1), (Backend("web"), 1));

        var plan = SyncPlanner.Plan(applied, State(), NoForce, NoPending, routes, SyncPlanner.BuildMaps(routes, applied.Keys),
            candidates: ["web"]);

        Assert.Equal("backend removed: web", plan.ReloadReason);
        var maps = Assert.IsType<RouteMapsContent>(plan.Maps);
        Assert.Equal([new RouteMaps.Entry("/web/", RouteMaps.MissingBackend), new RouteMaps.Entry("/", "api")], maps.Path);
    }

    [Fact]
    public void SyncPlanner_should_point_the_routes_back_at_a_backend_created_again_before_its_removal_reload()
    {
        var routes = new[] { Route("", "/", "api"), Route("", "/web", "web") };
        var applied = State((Backend("api"), 1), (Backend("web"), 1));
        var afterDeletion = SyncPlanner.BuildMaps(routes, ["api"]);

        var plan = Plan(applied, State((Backend("api"), 1), (Backend("web"), 3)), routes: routes, appliedMaps: afterDeletion);

        Assert.False(plan.NeedsReload);
        var maps = Assert.IsType<RouteMapsContent>(plan.Maps);
        Assert.Equal([new RouteMaps.Entry("/web/", "web"), new RouteMaps.Entry("/", "api")], maps.Path);
    }

    [Fact]
    public void SyncPlanner_should_summarise_more_than_three_reasons_with_a_count_of_the_rest()
    {
        var desired = State((Backend("a"), 1), (Backend("b"), 1), (Backend("c"), 1), (Backend("d"), 1), (Backend("e"), 1));

        var plan = Plan(State(), desired);

        Assert.Equal(5, plan.Structural.Count);
        Assert.EndsWith(" (+2 more)", plan.ReloadReason);
        Assert.Equal(3, plan.ReloadReason!.Split(", ").Length);
        Assert.All(plan.ReloadReason!.Split(", "), r => Assert.StartsWith("backend added: ", r));
    }

    [Fact]
    public void SyncPlanner_should_plan_runtime_steps_for_some_backends_and_a_reload_for_others_in_one_round()
    {
        var applied = State((Backend("api", Server("s1")), 1), (Backend("web", Server("w1", "10.0.1.1")), 1));
        var desired = State((Backend("api", Server("s1", "10.0.0.9")), 2), (Backend("web", Server("w1", "10.0.1.1")) with { Balance = BalanceAlgorithm.First }, 2));

        var plan = Plan(applied, desired);

        Assert.Equal([("api", "s1")], plan.Runtime.SelectMany(r => r.Moves).Select(m => (m.Backend, m.Target.Name)));
        Assert.Equal(["web"], plan.Structural);
    }
}
