using System.Data.Common;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Gateway.Actors.Persistence;

/// <summary>
/// What every pooled SQLite connection of Akka.Persistence.Sql needs, at open (the journal's writes
/// have a connection of their own, <see cref="JournalWriter"/>, set up alike; these serve
/// replays, tag queries, deletes and the snapshot store):
/// <list type="bullet">
/// <item>SQLite's own busy timeout. Without it, a writer that meets another (the snapshot store
/// beside the journal) gets SQLITE_BUSY at once and Microsoft.Data.Sqlite sleeps 150 ms before it
/// retries (measured: the p99 of a change went to 35 ms); SQLite's busy handler retries after
/// 1, 2, 5… ms instead.</item>
/// <item>A real asynchronous hop. Microsoft.Data.Sqlite's async methods run synchronously, so a
/// stream stage that awaits them would run each to its end before it looked at its queue again
/// (measured when the journal's writes went through here: 30,000 events in 30,000 transactions).</item>
/// <item>A small page cache (256 KiB, not SQLite's 2 MiB). Queries overlap (up to Akka's 50
/// concurrent recoveries, each with its own connection), and every pooled connection keeps its
/// cache: with 2 MiB each a node with 10,000 backends went from 371 to 583 MB RSS, and to 831 MB
/// after a restart. The operating system's file cache serves what this one misses. The journal's
/// writer keeps a larger one (<see cref="WriterPragma"/>).</item>
/// <item>A checkpoint every 10,000 WAL pages (40 MB), not SQLite's 1,000. Every event touches a page
/// of the journal's key index (<see cref="JournalKeyIndex"/>) near the end of its backend's range: a
/// transaction of a few hundred events of as many backends writes as many index pages, and each
/// checkpoint copies them all into the database file and syncs it. Checkpointing a tenth as often
/// copies a page rewritten by ten transactions once (measured raw, 300-row transactions over 5,000
/// persistence ids: 34,500 rows/s with 1,000, 46,200 with 10,000, 63,000 with the writer's cache too;
/// 232,000 without the index).</item>
/// </list>
/// </summary>
public sealed class SqliteJournalConnection : ConnectionInterceptor
{
    /// <summary>How long SQLite waits out another connection's write before it answers busy.</summary>
    internal const int BusyTimeoutMs = 10_000;

    /// <summary>What every connection to the journal runs once open, the writer's included.</summary>
    internal const string Pragma = "PRAGMA busy_timeout = 10000; PRAGMA cache_size = -256; PRAGMA wal_autocheckpoint = 10000;";

    /// <summary>
    /// The journal writer's connection on top of <see cref="Pragma"/>: a 32 MiB page cache, so that the key
    /// index's pages each write touches (one per backend written to) stay in memory between transactions.
    /// </summary>
    internal const string WriterPragma = "PRAGMA cache_size = -32768;";

    public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection) => SetUp(connection, Pragma);

    public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await Task.Yield();
        SetUp(connection, Pragma);
    }

    /// <summary>
    /// Runs <paramref name="pragma"/> on a connection just opened. One that SQLite could open only
    /// read-only (the file was not writable at that moment: a read-only mount, its permissions) is
    /// kept out of Microsoft.Data.Sqlite's pool once closed: the pool would hand the same read-only
    /// handle out again, and every write would go on failing after the file became writable, until a
    /// restart (found by the spec of a journal unwritable at start).
    /// </summary>
    internal static void SetUp(DbConnection connection, string pragma)
    {
        if (connection is SqliteConnection sqlite && raw.sqlite3_db_readonly(sqlite.Handle, "main") == 1)
            SqliteConnection.ClearPool(sqlite);
        using var command = connection.CreateCommand();
        command.CommandText = pragma;
        command.ExecuteNonQuery();
    }
}
