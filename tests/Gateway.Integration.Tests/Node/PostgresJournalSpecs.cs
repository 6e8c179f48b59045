using System.Net;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>The node on PostgreSQL (the multi-node journal): changes persist there and a restarted node recovers from it.</summary>
public sealed class PostgresJournalSpecs : IAsyncLifetime
{
    private readonly TempDir _dir = new("gwq");
    private PostgresServer _postgres = null!;
    private TestBackend _a = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _a = await TestBackend.StartAsync("a");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _postgres.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Node_on_postgresql_should_persist_changes_and_recover_them_after_a_restart()
    {
        var settings = new NodeSettings(_dir.Path)
        {
            Extra = ["--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={_postgres.ConnectionString}"],
        };
        await using (var first = await NodeProcess.StartAsync(settings))
        {
            using var backend = await first.PutJsonAsync("/api/backends/pg?wait=true",
                $$"""{"servers":[{"name":"s1","ip":"{{_a.IP}}","port":{{_a.Port}}}]}""");
            using var route = await first.PutJsonAsync("/api/routes?wait=true", """{"host":"pg.test","path":"","backend":"pg"}""");
            Assert.Equal(HttpStatusCode.OK, backend.StatusCode);
            Assert.Equal(HttpStatusCode.OK, route.StatusCode);
            await first.StopAsync();
        }
        File.Delete(Path.Combine(_dir.Path, "journal.db")); // nothing to find in SQLite, were it used

        await using var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        using var client = Clients.H2c();
        var (status, body, _) = await client.FetchAsync(second.PlainUrl + "/", "pg.test");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=a ", body);
        Assert.Equal(0, await second.ReloadsAsync());
        Assert.False(File.Exists(Path.Combine(_dir.Path, "journal.db")));
    }

    [Fact]
    public async Task Node_should_serve_its_last_state_from_disk_while_the_journal_is_unreachable()
    {
        var settings = new NodeSettings(_dir.Path)
        {
            Extra = ["--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={_postgres.ConnectionString};Timeout=2"],
        };
        await using (var first = await NodeProcess.StartAsync(settings))
        {
            using var backend = await first.PutJsonAsync("/api/backends/kept?wait=true",
                $$"""{"servers":[{"name":"s1","ip":"{{_a.IP}}","port":{{_a.Port}}}]}""");
            using var route = await first.PutJsonAsync("/api/routes?wait=true", """{"host":"","path":"/kept","backend":"kept"}""");
            Assert.Equal(HttpStatusCode.OK, route.StatusCode);
            await first.StopAsync(); // managed: its HAProxy stops too
        }
        await _postgres.PauseAsync();

        await using var second = NodeProcess.Launch(settings with { AdminPort = FreePort.Next() });
        using var client = Clients.Http1();
        var (status, body, _) = await Eventually.Get(() => client.FetchAsync(second.PlainUrl + "/kept"), r => r.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "HAProxy serving the file on disk");
        using var probe = new HttpClient { BaseAddress = new Uri(second.Settings.AdminUrl) };
        using var ready = await probe.GetAsync("/readyz");

        Assert.StartsWith("server=a ", body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        await _postgres.ResumeAsync();
        await second.WaitReadyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await second.ReloadsAsync());
    }
}
