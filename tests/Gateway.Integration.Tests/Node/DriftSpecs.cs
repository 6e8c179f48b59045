using System.Net;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>Every SyncPeriod the node compares what HAProxy serves with what it applied and repairs the difference.</summary>
public sealed class DriftSpecs : IAsyncLifetime
{
    private readonly TempDir _dir = new("gwx");
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private NodeProcess _node = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _node = await NodeProcess.StartAsync(new NodeSettings(_dir.Path)); // SyncPeriod 1s
        using var backend = await _node.PutJsonAsync("/api/backends/web?wait=true",
            $$"""{"servers":[{"name":"s1","ip":"{{_a.IP}}","port":{{_a.Port}}}]}""");
        using var route = await _node.PutJsonAsync("/api/routes?wait=true", """{"host":"","path":"/","backend":"web"}""");
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<string> ServedBy()
    {
        using var client = Clients.Http1(keepAlive: false);
        var (status, body, _) = await client.FetchAsync(_node.PlainUrl + "/");
        return status == HttpStatusCode.OK ? body.Split(' ')[0]["server=".Length..] : $"status {(int)status}";
    }

    [Fact]
    public async Task Server_changed_by_hand_should_be_set_back_at_the_next_reconcile()
    {
        await using var byHand = new RuntimeApiClient(_node.Layout.RuntimeSocket);
        var tampered = await byHand.ExecuteAsync(
        [
            RuntimeCommands.SetAddress("web", "s1", _b.IP, _b.Port),
            RuntimeCommands.AddServer(new Backend { Name = "web" }, new BackendServer { Name = "intruder", IP = _b.IP, Port = _b.Port }),
        ]);
        Assert.All(tampered, r => Assert.True(r.Ok, r.ToString()));
        Assert.Equal("b", await ServedBy());

        await Eventually.True(async () => (await ServedBy()) == "a" && (await Live()).All(s => s.Server == "s1"), TimeSpan.FromSeconds(15),
            "drift repaired");

        var live = Assert.Single(await Live());
        Assert.Equal((_a.IP, _a.Port), (live.Address, live.Port));
        // the log line reaches us through the node's stdout, a moment after HAProxy is repaired
        await Eventually.True(() => Task.FromResult(_node.Output.Contains("Repaired drift", StringComparison.Ordinal)), what: "repair logged");
    }

    [Fact]
    public async Task Haproxy_killed_by_hand_should_be_started_again_and_serve_the_state()
    {
        var master = int.Parse(await File.ReadAllTextAsync(_node.Layout.PidFile));

        Posix.Signal(master, Posix.SIGKILL);

        // the killed master's workers may serve a moment longer (they notice its death on their own), so what
        // proves the restart is a new master in the pid file serving the state
        await Eventually.True(async () => await CurrentMaster() is { } now && now != master && (await ServedBy()) == "a",
            TimeSpan.FromSeconds(20), "HAProxy started again by a new master");
        await Eventually.True(() => Task.FromResult(_node.Output.Contains("starting it again", StringComparison.Ordinal)), what: "restart logged");
    }

    // the node deletes the pid file before it starts HAProxy again, so it may be missing for a moment
    private async Task<int?> CurrentMaster()
    {
        try
        {
            return int.TryParse((await File.ReadAllTextAsync(_node.Layout.PidFile)).Trim(), out var pid) ? pid : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<LiveServer>> Live()
    {
        await using var client = new RuntimeApiClient(_node.Layout.RuntimeSocket);
        var reply = await client.ExecuteAsync(RuntimeCommands.ShowServersState("web"));
        return ServerStates.Parse(reply.Output);
    }
}
