using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// The demo is opt-in: a node runs it only with Gateway:Demo=true (scripts/run.sh with no provider),
/// is ready only once it is served, and a node started with it off removes what it stored.
/// </summary>
public sealed class DemoSpecs : IAsyncLifetime
{
    private readonly TempDir _dir = new("gwd");
    private TestBackend _a = null!;

    public async Task InitializeAsync() => _a = await TestBackend.StartAsync("a");

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Demo_should_be_served_over_http1_h2c_and_tls_once_the_node_is_ready()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(_dir.Path) { Demo = true });
        using var h2c = Clients.H2c();
        using var tls = Clients.Tls(HttpVersion.Version20);

        // ready means served: no retry here (readiness came about 1.5 s before the demo was served)
        var viaH2c = await h2c.FetchAsync(node.PlainUrl + "/h2c/hello");
        var viaTls = await tls.FetchAsync(node.TlsUrl + "/h2c/hello");
        var viaHttp1 = await h2c.FetchAsync(node.PlainUrl + "/hello");

        Assert.Equal("Hello from demo-h2c: you reached it over HTTP/2, path /h2c/hello\n", viaH2c.Body);
        Assert.Equal(HttpVersion.Version20, viaTls.Version);
        Assert.StartsWith("Hello from demo-h2c", viaTls.Body);
        Assert.Equal("Hello from demo-http1: you reached it over HTTP/1.1, path /hello\n", viaHttp1.Body);
        Assert.Contains("curl --http2-prior-knowledge", node.Output);
    }

    [Fact]
    public async Task Demo_should_be_served_at_once_and_quietly_after_a_restart()
    {
        var settings = new NodeSettings(_dir.Path) { Demo = true };
        await using (var first = await NodeProcess.StartAsync(settings))
            await first.StopAsync();

        await using var again = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(again.PlainUrl + "/hello");

        // its backends listen on last time's ports before HAProxy comes up from the file on disk (they
        // moved to new ones before: DOWN, an alert, and 503s for seconds after /readyz said ready)
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("Hello from demo-http1", body);
        Assert.DoesNotContain(" is DOWN", again.Output);
        Assert.DoesNotContain("[ALERT]", again.Output);
    }

    [Fact]
    public async Task Node_started_without_the_demo_should_remove_what_an_earlier_demo_stored()
    {
        var settings = new NodeSettings(_dir.Path) { Demo = true };
        await using (var demo = await NodeProcess.StartAsync(settings))
        {
            await demo.PutOkAsync("/api/backends/mine?wait=true", $$"""{"servers":[{"name":"s1","ip":"{{_a.IP}}","port":{{_a.Port}}}]}""");
            await demo.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/mine","backend":"mine"}""");
            await demo.StopAsync();
        }

        await using var node = await NodeProcess.StartAsync(settings with { Demo = null, AdminPort = FreePort.Next() });

        var backends = await Eventually.Get(() => Names(node, "/api/backends", "backends", "name"), names => !names.Any(n => n.StartsWith("demo-")),
            TimeSpan.FromSeconds(30), "demo backends removed");
        var routes = await Names(node, "/api/routes", "routes", "path");
        Assert.Equal(["mine"], backends);
        Assert.Equal(["/mine"], routes);
        Assert.Contains("Demo is off: removed [2] demo backends and [2] demo routes", node.Output);
        using var client2 = Clients.Http1();
        Assert.Equal(HttpStatusCode.OK, (await client2.FetchAsync(node.PlainUrl + "/mine/x")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client2.FetchAsync(node.PlainUrl + "/hello")).Status);
    }

    [Fact]
    public async Task Node_should_not_run_the_demo_unless_asked()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(_dir.Path) { Demo = null });

        Assert.Empty(await Names(node, "/api/backends", "backends", "name"));
        Assert.Empty(await Names(node, "/api/routes", "routes", "path"));
        Assert.DoesNotContain("demo", node.Output, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<List<string>> Names(NodeProcess node, string path, string list, string field)
    {
        using var response = await node.Admin.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty(list).EnumerateArray()
            .Select(e => e.GetProperty(field).GetString()!).Order().ToList();
    }
}
