using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// A node's journal has its unique index on (persistence_id, sequence_number), which Akka.Persistence.Sql
/// leaves out when given its database through Akka.Hosting; a journal a node before this one left
/// gets it at the next start, and one whose key was written twice still serves, with a plain index
/// and an error that says what to delete. A journal unwritable at start serves, retries the build,
/// and builds it and stores changes once writable, with no restart.
/// </summary>
public sealed class JournalKeyIndexSpecs() : TwoServersNodeSpec("gwj")
{
    private const string Unique = "unique (persistence_id, sequence_number)";

    [Fact]
    public async Task A_journal_should_have_its_key_index_get_it_back_at_start_and_serve_when_a_key_was_written_twice()
    {
        var settings = new NodeSettings(Dir.Path);
        var journal = await JournalOfAFirstNodeAsync(settings, A, B);
        Assert.Equal([Unique], KeyIndexes(journal));

        // as an older node left it: no index, and kept's second event stored twice (two writers of it at once)
        Sql(journal, "DROP INDEX journal_uq");
        Sql(journal, "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid) "
            + "SELECT created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid FROM journal "
            + "WHERE persistence_id = 'backend-kept' AND sequence_number = 2");
        await using (var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() }))
        {
            await Eventually.True(() => Task.FromResult(second.Output.Contains("keys are each held by more than one row", StringComparison.Ordinal)),
                what: "the shared key reported");
            Assert.Contains("[1] (persistence_id, sequence_number) keys are each held by more than one row (one of them [backend-kept])", second.Output);
            Assert.Equal(["plain (persistence_id, sequence_number)"], KeyIndexes(journal));
            // it serves and takes changes all the same
            await second.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", A));
            await second.StopAsync();
        }

        Sql(journal, "DELETE FROM journal WHERE ordering = (SELECT MAX(ordering) FROM journal WHERE persistence_id = 'backend-kept' AND sequence_number = 2)");
        await using var third = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        await Eventually.True(() => Task.FromResult(third.Output.Contains("built its unique index [journal_uq] on (persistence_id, sequence_number) over [", StringComparison.Ordinal)),
            what: "the unique index built");
        Assert.Equal([Unique], KeyIndexes(journal));
        await third.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", B));
    }

    [Fact]
    public async Task A_journal_unwritable_at_start_should_serve_and_get_its_index_and_changes_once_writable()
    {
        var settings = new NodeSettings(Dir.Path);
        var journal = await JournalOfAFirstNodeAsync(settings, A);
        Sql(journal, "DROP INDEX journal_uq");

        // a file the node cannot write at start (a read-only mount, wrong permissions): SQLite opens it read-only
        var files = new[] { journal, journal + "-wal", journal + "-shm" };
        using var unwritable = new Immutable(files); // disposed at the end too: nobody could delete the dir otherwise
        await using var second = await NodeProcess.StartAsync(settings with { AdminPort = FreePort.Next() });
        await Eventually.True(() => Task.FromResult(second.Output.Contains("(attempt [1])", StringComparison.Ordinal)),
            what: "the failed build reported");
        Assert.Contains("could not make sure of its index on (persistence_id, sequence_number) (attempt [1]); recoveries scan the journal "
            + "until then; next attempt in [2] s: SQLite Error 8: 'attempt to write a readonly database'", second.Output);
        using (var served = await second.Admin.GetAsync("/api/backends/kept"))
            served.EnsureSuccessStatusCode();

        // writable again: the next attempt builds it, and changes are stored, with no restart
        unwritable.Dispose();
        await Eventually.True(() => Task.FromResult(second.Output.Contains("built its unique index [journal_uq]", StringComparison.Ordinal)),
            what: "the index built at a later attempt", within: TimeSpan.FromSeconds(90));
        Assert.Equal([Unique], KeyIndexes(journal));
        await second.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", B));
    }

    /// <summary>The journal a first node leaves after <c>kept</c> was put on each of <paramref name="servers"/> in turn.</summary>
    private async Task<string> JournalOfAFirstNodeAsync(NodeSettings settings, params TestBackend[] servers)
    {
        await using var first = await NodeProcess.StartAsync(settings);
        foreach (var server in servers)
            await first.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", server));
        await first.StopAsync();
        return Path.Combine(Dir.Path, "journal.db");
    }

    private static List<string> KeyIndexes(string database)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT l."unique", (SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno))
            FROM pragma_index_list('journal') l
            """;
        using var reader = command.ExecuteReader();
        var indexes = new List<string>();
        while (reader.Read())
            indexes.Add($"{(reader.GetInt64(0) != 0 ? "unique" : "plain")} ({reader.GetString(1)})");
        return indexes;
    }

    private static void Sql(string database, string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        return connection;
    }
}
