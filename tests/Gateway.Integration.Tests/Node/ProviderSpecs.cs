using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>A node fed by a REST provider serving the seed's JSON: backends come and go with the source, and an unreachable source deletes nothing.</summary>
public sealed class ProviderSpecs : IAsyncLifetime
{
    private readonly TempDir _dir = new("gwp");
    private SourceServer _source = null!;
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private NodeProcess _node = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b", http2: true);
        _source = await SourceServer.StartAsync();
        _source.Serve(Document(("web", _a, null), ("grpc", _b, "h2c")));
        _node = await NodeProcess.StartAsync(new NodeSettings(_dir.Path)
        {
            Extra =
            [
                "--Gateway:Providers:0:Type=Rest",
                "--Gateway:Providers:0:Name=registry",
                $"--Gateway:Providers:0:Url={_source.Url}",
                "--Gateway:Providers:0:Interval=200ms",
                "--Gateway:Frontend:DefaultBackend=web",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _source.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _dir.Dispose();
    }

    private static string Document(params (string Name, TestBackend Server, string? Protocol)[] backends) =>
        JsonSerializer.Serialize(new
        {
            backends = backends.Select(b => new Dictionary<string, object>
            {
                ["name"] = b.Name,
                ["protocol"] = b.Protocol ?? "http1",
                ["servers"] = new[] { new { name = "s1", ip = b.Server.IP, port = b.Server.Port } },
            }),
        });

    private async Task<string[]> BackendNames()
    {
        var list = JsonDocument.Parse(await _node.Admin.GetStringAsync("/api/backends")).RootElement;
        return list.GetProperty("backends").EnumerateArray().Select(b => b.GetProperty("name").GetString()!).Order().ToArray();
    }

    private async Task<(HttpStatusCode, string)> Get(string host)
    {
        using var client = Clients.H2c();
        var (status, body, _) = await client.FetchAsync(_node.PlainUrl + "/", host);
        return (status, body);
    }

    [Fact]
    public async Task Backends_from_the_source_should_serve_http2_traffic()
    {
        await Eventually.True(async () => (await BackendNames()).SequenceEqual(["grpc", "web"]), what: "both backends registered");
        using var route = await _node.PutJsonAsync("/api/routes?wait=true", """{"host":"grpc.test","path":"","backend":"grpc"}""");
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);

        var (status, body) = await Eventually.Get(() => Get("grpc.test"), r => r.Item1 == HttpStatusCode.OK, what: "grpc serving");
        var (webStatus, webBody) = await Get("anything.test");

        Assert.StartsWith("server=b proto=HTTP/2 ", body);
        Assert.Equal(HttpStatusCode.OK, webStatus);
        Assert.StartsWith("server=a ", webBody);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Failing_source_should_delete_nothing_and_a_later_snapshot_should_delete_what_it_dropped()
    {
        await Eventually.True(async () => (await BackendNames()).Length == 2, what: "both backends registered");

        _source.Fail(500);
        var failingSince = _source.Requests;
        await Eventually.True(() => Task.FromResult(_source.Requests >= failingSince + 3), TimeSpan.FromSeconds(30), "three failed fetches");
        var duringOutage = await BackendNames();
        var (status, _) = await Get("anything.test");

        _source.Serve(Document(("web", _a, null)));
        await Eventually.True(async () => (await BackendNames()).SequenceEqual(["web"]), TimeSpan.FromSeconds(30), "grpc deleted after recovery");

        Assert.Equal(["grpc", "web"], duringOutage);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Provider [registry] failed", _node.Output);
    }
}
