using System.Diagnostics;
using Gateway.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gateway.Bench;

/// <summary>
/// A change to a backend whose writer sleeps: after a restart every writer does until its first
/// change, which recovers it from the journal first. Measured on a journal grown to a given size,
/// since what a recovery reads is looked up by the journal's key (or scanned for without its index).
/// </summary>
public static partial class NodeBench
{
    /// <param name="postgres">On a throwaway PostgreSQL (a database per round and build) instead of the node's SQLite file.</param>
    internal static async Task<Table> WakeAsync(IReadOnlyList<NodeBuild> builds, int rounds, int backends, int fillerRows, int wakes, bool postgres)
    {
        var ready = builds.ToDictionary(b => b.Name, _ => new List<double>());
        var first = builds.ToDictionary(b => b.Name, _ => new List<double>());
        var woken = builds.ToDictionary(b => b.Name, _ => new List<double>());
        await using var server = postgres ? await PostgresServer.StartAsync() : null;
        for (var round = 1; round <= rounds; round++)
            foreach (var build in builds)
            {
                var journal = server is null ? null : await Journal.CreateAsync(server, $"wake_{round}_{builds.ToList().IndexOf(build)}");
                await WakeRoundAsync(build, journal, backends, fillerRows, wakes, ready[build.Name], first[build.Name], woken[build.Name]);
            }

        var table = new Table($"A change to a sleeping backend (the node restarted; its writer recovers first), {backends} backends and {fillerRows:N0} other "
            + $"rows in the {(postgres ? "PostgreSQL" : "SQLite")} journal; {wakes} backends changed one after another; {rounds} round(s) per build, samples pooled",
            "measure", "n", "p50 ms", "p99 ms", "max ms");
        void Add(string what, List<double> values) =>
            table.Add(what, values.Count, Stats.Median(values), Stats.Percentile(values, 99), values.DefaultIfEmpty(double.NaN).Max());
        foreach (var build in builds)
        {
            Add($"{build.Name}: start → ready", ready[build.Name]);
            Add($"{build.Name}: the first change after ready, stored", first[build.Name]);
            Add($"{build.Name}: each next change to a sleeping backend, stored", woken[build.Name]);
        }
        return table;
    }

    private static async Task WakeRoundAsync(NodeBuild build, Journal? postgres, int backends, int fillerRows, int wakes, List<double> ready, List<double> first,
        List<double> woken)
    {
        using var dir = new TempDir("gwb");
        string[] extra = postgres is null ? [] : ["--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={postgres.ConnectionString}"];
        await using (var node = await StartNodeAsync(dir, build, extra))
        {
            for (var i = 0; i < backends; i++)
                await node.PutOkAsync($"/api/backends/w{i}", Backend($"w{i}", "127.0.0.1", 20000));
            await node.PutOkAsync($"/api/backends/w{backends - 1}?wait=true", Backend($"w{backends - 1}", "127.0.0.1", 20000));
            await node.StopAsync();
        }
        if (postgres is null)
            Fill(new SqliteConnection($"Data Source={Path.Combine(dir.Path, "journal.db")};Pooling=false"), fillerRows);
        else
            Fill(new NpgsqlConnection(postgres.ConnectionString), fillerRows);

        var started = Stopwatch.GetTimestamp();
        await using var restarted = await StartNodeAsync(dir, build, extra);
        ready.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        for (var i = 0; i < Math.Min(wakes, backends); i++)
        {
            var change = Stopwatch.GetTimestamp();
            await restarted.PutOkAsync($"/api/backends/w{i}", Backend($"w{i}", Ip(i + 1), 20000));
            (i == 0 ? first : woken).Add(Stopwatch.GetElapsedTime(change).TotalMilliseconds);
        }
        await restarted.StopAsync();
    }

    /// <summary>
    /// Adds <paramref name="rows"/> events of 5,000 other persistence ids, copies of a real one but
    /// untagged (the catalog and the history skip them), as months of changes leave a journal.
    /// </summary>
    private static void Fill(System.Data.Common.DbConnection journal, int rows)
    {
        using var connection = journal;
        connection.Open();
        using var fill = connection.CreateCommand();
        fill.CommandTimeout = 0;
        fill.CommandText = $"""
            WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < {rows - 1})
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
            SELECT e.created, e.deleted, 'filler-' || (n.x % 5000), n.x / 5000 + 1, e.message, NULL, e.manifest, e.identifier, e.writer_uuid
            FROM n, (SELECT * FROM journal WHERE persistence_id = 'backend-w0' LIMIT 1) e
            """;
        fill.ExecuteNonQuery();
        if (connection is NpgsqlConnection)
        {
            // as autovacuum would soon after: the planner's statistics know the table's size
            fill.CommandText = "ANALYZE journal";
            fill.ExecuteNonQuery();
        }
    }

    /// <summary>A database of its own on the throwaway PostgreSQL.</summary>
    private sealed record Journal(string ConnectionString)
    {
        public static async Task<Journal> CreateAsync(PostgresServer server, string name)
        {
            await using (var connection = new NpgsqlConnection(server.ConnectionString))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
            return new Journal(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString);
        }
    }
}
