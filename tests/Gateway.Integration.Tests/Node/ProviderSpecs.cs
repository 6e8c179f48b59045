using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// A node fed by a REST provider serving the seed's JSON: backends come and go with the source, and
/// an unreachable source deletes nothing. A node fed by a file that starts invalid: its failures
/// show in <c>/api/status</c>, retried within a few intervals, until the fixed file is served.
/// </summary>
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
    }

    private async Task StartNode(params string[] provider) =>
        _node = await NodeProcess.StartAsync(new NodeSettings(_dir.Path) { Extra = [.. provider, "--Gateway:Frontend:DefaultBackend=web"] });

    private Task StartRestNode() => StartNode(
        "--Gateway:Providers:0:Type=Rest",
        "--Gateway:Providers:0:Name=registry",
        $"--Gateway:Providers:0:Url={_source.Url}",
        "--Gateway:Providers:0:Interval=200ms");

    public async Task DisposeAsync()
    {
        if (_node is not null)
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
        await StartRestNode();
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
        await StartRestNode();
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

    [Fact]
    public async Task File_provider_failures_should_show_in_the_status_until_the_fixed_file_is_served()
    {
        var interval = TimeSpan.FromSeconds(1);
        var path = _dir.File("backends.json");
        WriteAtomically(path, """{"backends":[{"name":"web","servers":[{"name":"s1","ip":"127.0.0.1","port":99999}]}]}""");
        await StartNode(
            "--Gateway:Providers:0:Type=File",
            "--Gateway:Providers:0:Name=files",
            $"--Gateway:Providers:0:Path={path}",
            $"--Gateway:Providers:0:Interval={interval.TotalSeconds}s");

        // four failures in a row: unbounded, the backoff would wait 1, 2, 4, then 8 s
        var waits = new List<TimeSpan>();
        var failing = await Eventually.Get(async () =>
        {
            var provider = await ProviderStatus("files");
            if (provider.GetProperty("nextAttempt").ValueKind == JsonValueKind.String)
                waits.Add(provider.GetProperty("nextAttempt").GetDateTime() - provider.GetProperty("lastError").GetProperty("at").GetDateTime());
            return provider;
        }, p => p.GetProperty("consecutiveFailures").GetInt32() >= 4, TimeSpan.FromSeconds(60), "four failures in a row");

        Assert.Equal("FileBackendProvider", failing.GetProperty("type").GetString());
        Assert.Contains("port", failing.GetProperty("lastError").GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, failing.GetProperty("lastSuccess").ValueKind);
        Assert.NotEmpty(waits);
        Assert.All(waits, wait => Assert.InRange(wait, TimeSpan.Zero, 3 * interval));

        WriteAtomically(path, Document(("web", _a, null)));
        var (status, body) = await Eventually.Get(() => Get("anything.test"), r => r.Item1 == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "web served");
        var recovered = await Eventually.Get(() => ProviderStatus("files"), p => p.GetProperty("consecutiveFailures").GetInt32() == 0,
            TimeSpan.FromSeconds(10), "no failure since the fix");
        await Eventually.True(() => Task.FromResult(_node.Output.Contains("Provider [files] recovered after [")), TimeSpan.FromSeconds(10),
            "the recovery logged");

        Assert.StartsWith("server=a ", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("watching", recovered.GetProperty("state").GetString());
        Assert.True(recovered.GetProperty("lastSuccess").GetDateTime() > recovered.GetProperty("lastError").GetProperty("at").GetDateTime());
        Assert.Equal(JsonValueKind.Null, recovered.GetProperty("nextAttempt").ValueKind);
        // a failing provider degrades the node, it does not break it: warnings, not errors
        var failures = _node.Output.Split('\n').Where(l => l.Contains("Provider [files] failed")).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, line => Assert.Contains(" WRN] ", line));
    }

    /// <summary>One provider's entry in /api/status, whose other fields must stay as they were.</summary>
    private async Task<JsonElement> ProviderStatus(string name)
    {
        var status = await _node.StatusAsync();
        Assert.True(status.TryGetProperty("reloads", out _) && status.TryGetProperty("backends", out _), status.ToString());
        return status.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
    }

    /// <summary>Written beside and renamed over, so the provider never reads half a file.</summary>
    private static void WriteAtomically(string path, string text)
    {
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
    }
}
