using System.Diagnostics;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>A server that moves with requests in flight waits for them beside the node's other changes, not in front of them.</summary>
public sealed class MoveSpecs() : TwoServersNodeSpec("gwm")
{
    private static string One(TestBackend server) => $$"""{"servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}}}]}""";

    [Fact]
    public async Task A_change_to_another_backend_should_not_wait_for_a_move_whose_server_has_requests_in_flight()
    {
        // the move waits for the 15 s request in flight to its old address (up to 60 s); the other change must not
        await using var node = await NodeProcess.StartAsync(new NodeSettings(Dir.Path) { Extra = ["--Gateway:Manager:MoveDrainWait=00:01:00"] });
        await node.PutOkAsync("/api/backends/busy?wait=true", One(A));
        await node.PutOkAsync("/api/backends/other?wait=true", One(A));
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"busy.test","path":"","backend":"busy"}""");
        using var client = Clients.Http1(keepAlive: true);
        client.Timeout = TimeSpan.FromSeconds(60);
        await using var runtime = new RuntimeApiClient(node.Layout.RuntimeSocket);
        var slow = client.FetchAsync(node.PlainUrl + "/slow?ms=15000", "busy.test");
        await Eventually.True(async () => ServerStates.Connections((await runtime.ExecuteAsync(RuntimeCommands.ShowServersConnections("busy"))).Output)
            .Any(c => c.Key.Server == "s1" && c.Value.Used > 0), what: "the slow request in flight to busy/s1");

        await node.PutOkAsync("/api/backends/busy", One(B));
        await Eventually.True(async () => ServerStates.Parse((await runtime.ExecuteAsync(RuntimeCommands.ShowServersState("busy"))).Output)
            .Any(s => s.Server == "s1" && s.State == Gateway.Shared.Model.ServerAdminState.Maint), what: "busy/s1 out of the rotation, waiting for its request");
        var other = Stopwatch.StartNew();
        await node.PutOkAsync("/api/backends/other?wait=true", One(B));
        other.Stop();

        // before, the round held every change behind the move's wait: until the request ended, about 14 s here
        Assert.True(other.Elapsed < TimeSpan.FromSeconds(8), $"other's change was live after {other.Elapsed.TotalSeconds:0.0} s");
        var live = ServerStates.Parse((await runtime.ExecuteAsync(RuntimeCommands.ShowServersState("other"))).Output);
        Assert.Equal(B.Port, Assert.Single(live).Port);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await slow).Status); // served to its end by the old address; then the move finishes
        await Eventually.True(async () => ServerStates.Parse((await runtime.ExecuteAsync(RuntimeCommands.ShowServersState("busy"))).Output)
            .Select(s => (s.Server, s.Port, s.State)).SequenceEqual([("s1", B.Port, Gateway.Shared.Model.ServerAdminState.Ready)]), what: "busy/s1 at b, its twin gone");
    }
}
