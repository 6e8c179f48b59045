using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// The node on PostgreSQL (the multi-node journal): changes persist there (their key uniquely
/// indexed) and a restarted node recovers from it. A journal that is slow to come up, or goes away under a running node (the
/// cluster stopped and started again): the start waits and says why, a change that cannot be stored
/// is answered 503 with problem details and never dropped, HAProxy keeps serving the last good
/// state, and the first change after the journal is back is stored.
/// </summary>
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

    private NodeSettings OnPostgres() => new(_dir.Path)
    {
        Extra = ["--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={_postgres.ConnectionString};Timeout=2"],
    };

    private string Backend(string name) => $$"""{"name":"{{name}}","servers":[{"name":"s1","ip":"{{_a.IP}}","port":{{_a.Port}}}]}""";

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
        // the journal's key is indexed and unique (Akka.Persistence.Sql leaves that out when given its database through Akka.Hosting)
        Assert.Contains("CREATE UNIQUE INDEX journal_uq ON public.journal USING btree (persistence_id, sequence_number)", await JournalIndexesAsync());

        await using var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        using var client = Clients.H2c();
        var (status, body, _) = await client.FetchAsync(second.PlainUrl + "/", "pg.test");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=a ", body);
        Assert.Equal(0, await second.ReloadsAsync());
        Assert.False(File.Exists(Path.Combine(_dir.Path, "journal.db")));
    }

    private async Task<List<string>> JournalIndexesAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE tablename = 'journal'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new List<string>();
        while (await reader.ReadAsync())
            indexes.Add(reader.GetString(0));
        return indexes;
    }

    [Fact]
    public async Task Node_should_serve_its_last_state_from_disk_while_the_journal_is_unreachable()
    {
        var settings = OnPostgres();
        await using (var first = await NodeProcess.StartAsync(settings))
        {
            using var backend = await first.PutJsonAsync("/api/backends/kept?wait=true", Backend("kept"));
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
        // HAProxy may serve before the admin API listens: wait for an answer, which must be "not ready"
        using var ready = await Eventually.Get(() => probe.GetAsync("/readyz"), _ => true, TimeSpan.FromSeconds(30), "/readyz answering");

        Assert.StartsWith("server=a ", body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        await _postgres.ResumeAsync();
        await second.WaitReadyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await second.ReloadsAsync());
    }

    [Fact]
    public async Task Node_should_wait_for_a_journal_that_comes_up_late_and_say_why_it_is_not_ready()
    {
        await _postgres.PauseAsync();
        await using var node = NodeProcess.Launch(OnPostgres());
        using var probe = new HttpClient { BaseAddress = new Uri(node.Settings.AdminUrl), Timeout = TimeSpan.FromSeconds(10) };

        // Past the read journal's own 5 s wait, which failed the backend manager for good before.
        await Eventually.True(() => Task.FromResult(Count(node.Output, "Waiting for the [PostgreSQL journal") >= 3), TimeSpan.FromSeconds(60),
            "three failed attempts logged with what the node waits for");
        var notReady = await Eventually.Get(() => probe.GetAsync("/readyz"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "/readyz answering");
        var why = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(why.GetProperty("waitingFor").EnumerateArray(), reason => reason.GetString()!.StartsWith("journal: waiting for the PostgreSQL journal"));

        await _postgres.ResumeAsync();
        await node.WaitReadyAsync(TimeSpan.FromSeconds(90));

        await node.PutOkAsync("/api/backends/late?wait=true", Backend("late"));
        Assert.Contains("Journal available", node.Output);
    }

    [Fact]
    public async Task Node_should_answer_503_while_the_journal_is_down_keep_serving_and_store_the_first_change_after_it_is_back()
    {
        await using var node = await NodeProcess.StartAsync(OnPostgres());
        await node.PutOkAsync("/api/backends/kept?wait=true", Backend("kept"));
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/kept","backend":"kept"}""");

        await _postgres.PauseAsync();
        using var backend = await node.PutJsonAsync("/api/backends/kept", Backend("kept").Replace("\"s1\"", "\"s2\""));
        using var route = await node.PutJsonAsync("/api/routes", """{"host":"","path":"/other","backend":"kept"}""");
        using var client = Clients.Http1();
        var served = await client.FetchAsync(node.PlainUrl + "/kept/x");

        await AssertNotStored(backend);
        await AssertNotStored(route);
        Assert.Equal(HttpStatusCode.OK, served.Status);

        await _postgres.ResumeAsync();
        using var afterRoute = await node.PutJsonAsync("/api/routes?wait=true", """{"host":"","path":"/other","backend":"kept"}""");
        using var afterBackend = await node.PutJsonAsync("/api/backends/kept?wait=true", Backend("kept").Replace("\"s1\"", "\"s2\""));

        Assert.Equal(HttpStatusCode.OK, afterRoute.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterBackend.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.FetchAsync(node.PlainUrl + "/other/x")).Status);
    }

    private static async Task AssertNotStored(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Not stored", problem.GetProperty("title").GetString());
        Assert.Contains("journal", problem.GetProperty("detail").GetString());
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
