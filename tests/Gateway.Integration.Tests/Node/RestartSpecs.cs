using System.Net;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>What the journal and an outliving HAProxy give: a node that restarts, or crashes, serves the same state without a reload.</summary>
public sealed class RestartSpecs() : TwoServersNodeSpec("gwr")
{
    [Fact]
    public async Task Restarted_node_should_recover_from_sqlite_and_serve_without_a_reload()
    {
        var settings = new NodeSettings(Dir.Path);
        await using (var first = await NodeProcess.StartAsync(settings))
        {
            await first.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", A));
            await first.PutOkAsync("/api/routes?wait=true", """{"host":"kept.test","path":"","backend":"kept"}""");
            await first.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", B)); // a runtime-only change, persisted
            await first.StopAsync();
        }
        // the stopping node saved its backend catalog, "kept" in it: the next start reads it (no backend wakes at start)
        Assert.Contains("\"kept\"", CatalogSnapshot(Path.Combine(Dir.Path, "journal.db")));

        await using var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        using var client = Clients.H2c();
        var (status, body, _) = await client.FetchAsync(second.PlainUrl + "/", "kept.test");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=b ", body);
        Assert.Equal(0, await second.ReloadsAsync());
        Assert.Contains("Desired state: [1] backends from the catalog", second.Output);
    }

    private static string Pair(TestBackend first, TestBackend second) =>
        $$"""{"servers":[{"name":"s1","ip":"{{first.IP}}","port":{{first.Port}}},{"name":"s2","ip":"{{second.IP}}","port":{{second.Port}}}]}""";

    /// <summary>The pair and a third server in drain, which haproxy.cfg cannot say (only the state file can).</summary>
    private static string PairAndDrain(TestBackend first, TestBackend second) =>
        Pair(first, second)[..^2] + $$""",{"name":"s3","ip":"{{first.IP}}","port":{{first.Port}},"state":"drain"}]}""";

    [Fact]
    public async Task Clean_restart_should_repair_no_drift_when_servers_changed_at_runtime_since_the_last_reload()
    {
        var settings = new NodeSettings(Dir.Path);
        await using (var first = await NodeProcess.StartAsync(settings))
        {
            await first.PutOkAsync("/api/backends/pair?wait=true", Pair(A, B));
            await first.PutOkAsync("/api/backends/other?wait=true", Backend("other", A)); // a reload: the state file now holds pair's servers
            await first.PutOkAsync("/api/backends/pair?wait=true", PairAndDrain(B, A)); // both servers move, s3 comes in drain: at runtime
            await first.StopAsync();
        }

        await using var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        // the first reconcile logs any repair before "Ready", in that order on stdout
        await Eventually.True(() => Task.FromResult(second.Output.Contains("Ready: HAProxy serves", StringComparison.Ordinal)), what: "ready logged");

        Assert.DoesNotContain("Repaired drift", second.Output);
        // a clean restart is quiet: warnings are for a degraded node, and every line ends cleanly (" <>" ended those without a source)
        Assert.DoesNotContain(" WRN] ", second.Output);
        Assert.DoesNotContain(" ERR] ", second.Output);
        Assert.DoesNotContain(second.Output.Split('\n'), line => line.TrimEnd().EndsWith("<>", StringComparison.Ordinal));
        await using var runtime = new RuntimeApiClient(second.Layout.RuntimeSocket);
        var live = await Eventually.Get(async () => (await runtime.ExecuteAsync(RuntimeCommands.ShowServersState("pair"))).Output,
            output => ServerStates.Parse(output).Count == 3, TimeSpan.FromSeconds(30), "pair's servers in show servers state");
        Assert.Equal([("s1", B.Port, ServerAdminState.Ready), ("s2", A.Port, ServerAdminState.Ready), ("s3", B.Port, ServerAdminState.Drain)],
            ServerStates.Parse(live).Select(s => (s.Server, s.Port, s.State)).Order());
        Assert.Equal(0, await second.ReloadsAsync());
    }

    private static string CatalogSnapshot(string database)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT snapshot FROM snapshot WHERE persistence_id = 'catalog'";
        var payload = command.ExecuteScalar() as byte[];
        Assert.NotNull(payload);
        return System.Text.Encoding.UTF8.GetString(payload);
    }

    [Fact]
    public async Task Crashed_node_should_leave_haproxy_serving_and_its_successor_adopt_it_without_dropping_a_request()
    {
        var settings = new NodeSettings(Dir.Path);
        var first = await NodeProcess.StartAsync(settings);
        await first.PutOkAsync("/api/backends/web?wait=true", Backend("web", A));
        await first.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/","backend":"web"}""");
        await first.PutOkAsync("/api/backends/web?wait=true", Backend("web", B)); // live at runtime, haproxy.cfg may lag
        using var client = Clients.Http1();
        await using var load = new LoadLoop(client, first.PlainUrl + "/", workers: 2, maxRequests: 1_000_000, maxTime: TimeSpan.FromSeconds(90));
        await load.Progress(50);

        var master = int.Parse(await File.ReadAllTextAsync(first.Layout.PidFile));
        await first.Kill();
        Assert.True(Gateway.Actors.Haproxy.Posix.IsRunning(master), "HAProxy died with the node");
        await load.Progress(200); // HAProxy outlives the controller
        await using var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        await load.Progress(200);
        await load.StopAsync();

        Assert.Equal(0, load.Failures);
        Assert.Equal(0, await second.ReloadsAsync());
        Assert.Contains("adopted", second.Output);
        var (status, body, _) = await client.FetchAsync(second.PlainUrl + "/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=b ", body);
        await first.DisposeAsync();
    }
}
