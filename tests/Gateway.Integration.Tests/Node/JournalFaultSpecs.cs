using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// The SQLite journal under a running node, as probes found it: another process holding its write
/// lock (a backup, an operator's <c>sqlite3</c> session), and its files deleted (a clean-up script).
/// A change is answered "not stored" and is not stored behind the node's back. Before, the first was
/// answered "no answer in time" and committed once the lock went, and the second answered stored into
/// the deleted file; either way the node did not list or serve what its journal said.
/// </summary>
public sealed class JournalFaultSpecs() : TwoServersNodeSpec("gwjf")
{
    [Fact]
    public async Task A_change_held_up_by_another_process_lock_should_be_answered_not_stored_and_stay_unstored()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(Dir.Path));
        await node.PutOkAsync("/api/backends/before?wait=true", Backend("before", A));

        using (HeldWriteLock(Path.Combine(Dir.Path, "journal.db")))
        {
            using var held = await node.PutJsonAsync("/api/backends/held", Backend("held", B));
            var problem = JsonDocument.Parse(await held.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Not stored"), (held.StatusCode, problem.GetProperty("title").GetString()));
            Assert.Contains("not written", problem.GetProperty("detail").GetString());
        }

        // the lock released: "held" was not stored later behind the node's back (a write after it has gone through the same writer)
        await node.PutOkAsync("/api/backends/after?wait=true", Backend("after", A));
        Assert.Equal(0, EventsOf(Path.Combine(Dir.Path, "journal.db"), "backend-held"));
        using (var missing = await node.Admin.GetAsync("/api/backends/held"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // and sent again, it is stored and served
        await node.PutOkAsync("/api/backends/held?wait=true", Backend("held", B));
    }

    private static long EventsOf(string database, string persistenceId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id";
        count.Parameters.AddWithValue("$id", persistenceId);
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>Another connection's write transaction on the journal, open until disposed.</summary>
    private static SqliteConnection HeldWriteLock(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return connection; // disposing it rolls the transaction back and lets the lock go
    }

    [Fact]
    public async Task Changes_after_the_journal_file_was_removed_should_be_refused_not_answered_stored()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(Dir.Path));
        await node.PutOkAsync("/api/backends/before?wait=true", Backend("before", A));

        foreach (var file in new[] { "journal.db", "journal.db-wal", "journal.db-shm" })
            File.Delete(Path.Combine(Dir.Path, file));

        foreach (var name in new[] { "after", "again" }) // and it stays refused
        {
            using var refused = await node.PutJsonAsync($"/api/backends/{name}", Backend(name, B));
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name}: {(int)refused.StatusCode} {problem}");
            Assert.Equal("Not stored", problem.GetProperty("title").GetString());
        }
        Assert.Contains("was removed or moved away while the node ran", node.Output);
        // the node still knows (and HAProxy still serves) what was stored before
        using (var before = await node.Admin.GetAsync("/api/backends/before"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
    }
}
