using System.Net;
using Gateway.Actors.Sync;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// HAProxy 2.6 gives a server added at runtime <c>max-reuse 0</c>, so each of its HTTP/2
/// connections carries one request; the node reloads such servers into the configuration
/// (<c>Gateway:Manager:SettleDelay</c>), after which a keep-alive client's requests share one.
/// </summary>
public sealed class SettleReloadSpecs
{
    private const int Requests = 8;

    [Fact]
    public async Task Server_added_at_runtime_to_an_h2c_backend_should_be_reloaded_into_the_configuration_and_reuse_its_connections()
    {
        using var dir = new TempDir("gwsettle");
        await using var a = await TestBackend.StartAsync("a", http2: true);
        await using var b = await TestBackend.StartAsync("b", http2: true);
        await using var node = await NodeProcess.StartAsync(new NodeSettings(dir.Path) { Extra = ["--Gateway:Manager:SettleDelay=1s"] });
        await node.PutOkAsync("/api/backends/grpc?wait=true", $$"""{"protocol":"h2c","servers":[{"name":"s1","ip":"{{a.IP}}","port":{{a.Port}}}]}""");
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/","backend":"grpc"}""");

        // s2 joins at runtime, s1 leaves: b serves every request from now on
        await node.PutOkAsync("/api/backends/grpc?wait=true", $$"""{"protocol":"h2c","servers":[{"name":"s2","ip":"{{b.IP}}","port":{{b.Port}}}]}""");
        await Eventually.True(async () => (await node.StatusAsync()).GetProperty("lastReloadReason").GetString() == SyncState.SettleReason,
            TimeSpan.FromSeconds(30), "the settle reload");

        using var client = Clients.Http1(keepAlive: true);
        var connections = new HashSet<string>();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await client.GetAsync(node.PlainUrl + "/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("server=b proto=HTTP/2", await response.Content.ReadAsStringAsync());
            connections.Add(response.Headers.GetValues("x-connection").Single());
        }
        Assert.True(connections.Count <= 2, $"{Requests} requests of one client reached s2 over {connections.Count} HTTP/2 connections");
        Assert.Contains("join the configuration by a reload in", node.Output, StringComparison.Ordinal);
    }
}
