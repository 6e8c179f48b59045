using System.Data.Common;
using Gateway.Actors.Persistence;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// <see cref="JournalKeyIndex"/> on SQLite: a journal table as a node's Akka.Persistence.Sql created it
/// (no index at all) gets its unique index on (persistence id, sequence number), once; one whose rows
/// already share a key gets a plain one and says so, and the unique one once they no longer do.
/// PostgreSQL: <see cref="PostgresWriteJournalSpecs"/>.
/// </summary>
public sealed class JournalKeyIndexSpecs : IDisposable
{
    /// <summary>The journal table of a node's SQLite journal, as Akka.Persistence.Sql 1.5.73 created it through Akka.Hosting.</summary>
    internal const string NodeJournalTable = """
        CREATE TABLE [journal]
        (
            [ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
            [created]         INTEGER        NOT NULL,
            [deleted]         Bit            NOT NULL,
            [persistence_id]  NVarChar(255)  NOT NULL,
            [sequence_number] INTEGER        NOT NULL,
            [message]         VarBinary      NOT NULL,
            [tags]            NVarChar(100)      NULL,
            [manifest]        NVarChar(500)      NULL,
            [identifier]      INTEGER            NULL,
            [writer_uuid]     NVarChar(128)      NULL
        )
        """;

    private static readonly JournalKeyIndex Key = new("journal", "persistence_id", "sequence_number");

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"gwk-{Guid.NewGuid():N}.db");
    private readonly JournalDatabase _database;
    private readonly SqliteConnection _connection;

    public JournalKeyIndexSpecs()
    {
        var connectionString = $"Data Source={_path};Pooling=false";
        _database = JournalDatabase.For(LinqToDB.ProviderName.SQLiteMS, connectionString)!;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Execute(_connection, NodeJournalTable);
    }

    public void Dispose()
    {
        _connection.Dispose();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(file);
    }

    [Fact]
    public void A_journal_without_an_index_should_get_a_unique_one_once()
    {
        Insert(_connection, ("backend-a", 1), ("backend-a", 2), ("backend-b", 1));
        var told = new List<long>();

        var built = Key.Ensure(_database, _connection, told.Add);

        Assert.Equal((JournalKeyIndex.IndexState.Built, 3L), (built.State, built.Rows));
        Assert.Equal([3L], told);
        Assert.Equal(["unique (persistence_id, sequence_number)"], Indexes());
        Assert.Contains("USING INDEX journal_uq", Plan(_connection, "SELECT * FROM journal WHERE persistence_id = 'backend-a' AND sequence_number >= 1 ORDER BY sequence_number"));
        // a second writer's event for a stored key is refused
        var refused = Assert.ThrowsAny<DbException>(() => Insert(_connection, ("backend-a", 2)));
        Assert.True(_database.IsUniqueViolation(refused));

        Assert.Equal(JournalKeyIndex.IndexState.Present, Key.Ensure(_database, _connection, told.Add).State);
        Assert.Equal([3L], told);
    }

    [Fact]
    public void Rows_that_share_a_key_should_get_a_plain_index_until_they_no_longer_do()
    {
        Insert(_connection, ("backend-a", 1), ("backend-a", 2), ("backend-a", 2), ("backend-b", 1), ("backend-b", 1));

        var shared = Key.Ensure(_database, _connection, _ => { });

        Assert.Equal((JournalKeyIndex.IndexState.NotUnique, 5L, 2L, "backend-a"), (shared.State, shared.Rows, shared.SharedKeys, shared.Example));
        Assert.Equal(["plain (persistence_id, sequence_number)"], Indexes());
        Assert.Equal(JournalKeyIndex.IndexState.NotUnique, Key.Ensure(_database, _connection, _ => { }).State);

        Execute(_connection, "DELETE FROM journal WHERE ordering IN (3, 5)");
        Assert.Equal(JournalKeyIndex.IndexState.Built, Key.Ensure(_database, _connection, _ => { }).State);
        Assert.Equal(["unique (persistence_id, sequence_number)"], Indexes());
    }

    [Fact]
    public async Task A_build_another_connections_write_holds_up_should_fail_after_the_busy_wait_to_be_retried()
    {
        Insert(_connection, ("backend-a", 1));
        await using var writer = await _database.OpenReaderAsync(CancellationToken.None); // set up as the writer's: SQLite waits 10 s
        using (var held = _connection.BeginTransaction(deferred: false))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var build = Task.Run(() => Key.Ensure(_database, writer, _ => { }));
            // it used to wait as long as the other write went on, holding every write of the node behind it
            var busy = await Assert.ThrowsAsync<SqliteException>(() => build.WaitAsync(TimeSpan.FromSeconds(90)));
            Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, busy.SqliteErrorCode);
            Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(SqliteJournalConnection.BusyTimeoutMs - 500), $"failed after {started.Elapsed}");
            held.Rollback();
        }

        Assert.Equal(JournalKeyIndex.IndexState.Built, Key.Ensure(_database, writer, _ => { }).State);
    }

    [Fact]
    public void A_unique_index_of_another_name_on_the_key_should_do()
    {
        Execute(_connection, "CREATE UNIQUE INDEX mine ON journal (persistence_id, sequence_number)");

        Assert.Equal(JournalKeyIndex.IndexState.Present, Key.Ensure(_database, _connection, _ => { }).State);
        Assert.Single(Indexes());
    }

    /// <summary>The table's indexes, each as "unique (a, b)" or "plain (a, b)".</summary>
    [Fact]
    public void The_writers_connection_should_keep_the_key_index_pages_and_checkpoint_a_tenth_as_often()
    {
        var insert = new JournalInsert("\"journal\" (\"created\", \"deleted\", \"persistence_id\", \"sequence_number\", \"message\", \"tags\", \"manifest\", \"identifier\")", 8, false);
        using var writer = _database.Open(insert);

        Assert.Equal((-32768L, 10000L), writer.Use(connection => (Pragma(connection, "cache_size"), Pragma(connection, "wal_autocheckpoint"))));
    }

    private static long Pragma(DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private List<string> Indexes() =>
        _database.Indexes(_connection, Key.TableName).Select(index => $"{(index.Unique ? "unique" : "plain")} ({string.Join(", ", index.Columns)})").ToList();

    internal static void Insert(DbConnection connection, params (string PersistenceId, long SequenceNumber)[] rows)
    {
        foreach (var (persistenceId, sequenceNumber) in rows)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) "
                + $"VALUES (0, {(connection is SqliteConnection ? "0" : "false")}, '{persistenceId}', {sequenceNumber}, '\\x00')";
            insert.ExecuteNonQuery();
        }
    }

    internal static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Plan(SqliteConnection connection, string query)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query;
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
            plan.Add(reader.GetString(3));
        return string.Join(" | ", plan);
    }
}
