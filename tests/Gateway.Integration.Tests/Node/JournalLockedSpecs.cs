using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// Another process holds the SQLite journal's write lock (a backup, an operator's <c>sqlite3</c>
/// session): a change is answered "not stored" while the lock is held, and is not stored after it
/// either. Found by a probe: the change was answered "no answer in time", then committed once the
/// lock went, and the node neither listed nor served it until a restart.
/// </summary>
public sealed class JournalLockedSpecs() : TwoServersNodeSpec("gwlock")
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
}
