using Gateway.Actors.Haproxy.Runtime;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// The periodic reconcile's plan: what HAProxy really serves (<c>show backend</c>, <c>show servers
/// state</c>) set back to what Gateway applied — changed servers set, missing ones added, unknown
/// ones removed, missing backends reloaded in.
/// </summary>
public class DriftPlannerSpecs
{
    private const int Ready = 0, Maint = LiveServer.ForcedMaint;

    private static readonly Dictionary<string, VersionedBackend> Applied = new(StringComparer.Ordinal)
    {
        ["api"] = new(Backend("api", Server("s1", "10.0.0.1", 8080), Server("s2", "10.0.0.2", 8080, weight: 4)), 3),
    };

    private static readonly HashSet<string> LiveBackends = ["api", "other"];

    private static LiveServer Live(string server, string ip, int port = 8080, int weight = 1, int admin = Ready, string backend = "api") =>
        new(backend, server, ip, port, OperationalState: 2, AdminState: admin, Weight: weight, InitialWeight: weight);

    [Fact]
    public void DriftPlanner_should_find_nothing_when_haproxy_serves_what_was_applied()
    {
        var repair = DriftPlanner.Plan(Applied, LiveBackends, [Live("s1", "10.0.0.1"), Live("s2", "10.0.0.2", weight: 4)]);

        Assert.Equal(0, repair.Count);
    }

    [Fact]
    public void DriftPlanner_should_set_back_the_address_weight_and_state_of_a_server_changed_by_hand()
    {
        var repair = DriftPlanner.Plan(Applied, LiveBackends,
            [Live("s1", "10.0.0.66", port: 9999, admin: Maint), Live("s2", "10.0.0.2", weight: 1)]);

        Assert.Equal(
            ["set server api/s1 addr 10.0.0.1 port 8080", "set server api/s1 state ready", "set weight api/s2 4"],
            repair.Commands.Select(c => c.Text).Order(StringComparer.Ordinal));
        Assert.Equal(2, repair.Servers);
        Assert.Empty(repair.Removals);
    }

    [Fact]
    public void DriftPlanner_should_move_back_a_server_in_the_rotation_found_at_another_address_with_a_twin_named_apart_from_live_ones()
    {
        var repair = DriftPlanner.Plan(Applied, LiveBackends,
            [Live("s1", "10.0.0.66", port: 9999), Live("s2", "10.0.0.2", weight: 4), Live("s1:moving", "10.0.0.1")]);

        var move = Assert.Single(repair.Moves);
        Assert.Equal(("api", "s1", "10.0.0.1", 8080, "s1:moving2"), (move.Backend, move.Target.Name, move.Target.IP, move.Target.Port, move.Twin));
        Assert.Empty(repair.Commands);
        Assert.Equal([new ServerRef("api", "s1:moving")], repair.Removals); // a twin left behind is a server Gateway does not know
        Assert.Equal(1, repair.Servers);
    }

    [Fact]
    public void DriftPlanner_should_add_a_server_haproxy_lost()
    {
        var repair = DriftPlanner.Plan(Applied, LiveBackends, [Live("s1", "10.0.0.1")]);

        var commands = repair.Commands.Select(c => c.Text).ToList();
        Assert.StartsWith("add server api/s2 10.0.0.2:8080 ", commands[0]);
        Assert.Contains("enable health api/s2", commands);
        Assert.Contains("set server api/s2 state ready", commands);
    }

    [Fact]
    public void DriftPlanner_should_name_the_HTTP2_backends_that_get_a_server_back_for_a_settle_reload()
    {
        var applied = new Dictionary<string, VersionedBackend>(Applied, StringComparer.Ordinal)
        {
            ["grpc"] = new(Backend("grpc", Server("s1", "10.0.0.1", 8080), Server("s2", "10.0.0.2", 8080)) with { Protocol = ServerProtocol.H2c }, 1),
            ["tls"] = new(Backend("tls", Server("s1", "10.0.0.1", 8080)) with { Protocol = ServerProtocol.H2 }, 1),
        };

        var repair = DriftPlanner.Plan(applied, new HashSet<string> { "api", "grpc", "tls" },
            [Live("s1", "10.0.0.1"), Live("s1", "10.0.0.1", backend: "tls")]); // api/s2 and both of grpc's servers lost, tls whole

        Assert.Equal(["grpc"], repair.Unsettled); // HTTP/1.1 servers added at runtime keep their connections
        Assert.Equal(3, repair.Servers);
    }

    [Fact]
    public void DriftPlanner_should_remove_a_server_gateway_does_not_know()
    {
        var repair = DriftPlanner.Plan(Applied, LiveBackends,
            [Live("s1", "10.0.0.1"), Live("s2", "10.0.0.2", weight: 4), Live("s9", "10.0.0.9"), Live("x1", "10.9.0.1", backend: "other")]);

        Assert.Equal([new ServerRef("api", "s9")], repair.Removals);
        Assert.Empty(repair.Commands);
    }

    [Fact]
    public void DriftPlanner_should_report_a_backend_missing_from_show_backend_for_a_reload()
    {
        var repair = DriftPlanner.Plan(Applied, new HashSet<string> { "other" }, []);

        Assert.Equal(["api"], repair.MissingBackends);
        Assert.Empty(repair.Commands);
        Assert.Equal(1, repair.Count);
    }
}
