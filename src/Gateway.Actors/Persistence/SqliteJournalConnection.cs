using System.Data.Common;
using LinqToDB.Interceptors;

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
/// after a restart. The operating system's file cache serves what this one misses.</item>
/// </list>
/// </summary>
public sealed class SqliteJournalConnection : ConnectionInterceptor
{
    /// <summary>How long SQLite waits out another connection's write before it answers busy.</summary>
    internal const int BusyTimeoutMs = 10_000;

    /// <summary>What every connection to the journal runs once open, the writer's included.</summary>
    internal const string Pragma = "PRAGMA busy_timeout = 10000; PRAGMA cache_size = -256;";

    public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
