using System.Data.Common;
using System.Diagnostics;

namespace Gateway.Actors.Persistence;

/// <summary>
/// The journal's key, (persistence id, sequence number), and its unique index: what a recovery, a
/// read of the highest sequence number and a delete look rows up by, and what refuses an event a
/// second writer of the same backend would store beside the first's. Akka.Persistence.Sql creates it
/// only when its <c>provider-name</c> setting names the database; a node gives it the database
/// through Akka.Hosting's <c>DataOptions</c> instead, and its journal table came without any index
/// (found on 2026-12-03: every recovery scanned and sorted the whole table). So the journal makes
/// sure of it itself, once at start (<see cref="GatewayWriteJournal"/>), under the name Akka gives it.
/// </summary>
/// <param name="TableName">The journal table's name, from which the index's name is made.</param>
public sealed record JournalKeyIndex(string TableName, string PersistenceId, string SequenceNumber)
{
    /// <summary>The journal table, quoted.</summary>
    public string Table => JournalInsert.Quote(TableName);

    /// <summary>The unique index's name: Akka.Persistence.Sql's (<c>{table}_uq</c>).</summary>
    public string UniqueName => $"{TableName}_uq";

    /// <summary>The index made instead where rows already share a key: a journal from before, written twice.</summary>
    public string PlainName => $"{TableName}_{PersistenceId}_{SequenceNumber}_idx";

    public static JournalKeyIndex For(string table, Akka.Persistence.Sql.Config.JournalTableColumnNames columns) =>
        new(table, columns.PersistenceId, columns.SequenceNumber);

    /// <summary>What <see cref="Ensure"/> found or did.</summary>
    /// <param name="Rows">Rows in the journal when it built an index (0 when one was there).</param>
    /// <param name="SharedKeys">Keys held by more than one row, when the index could not be unique.</param>
    /// <param name="Example">A persistence id with such a key.</param>
    public sealed record Outcome(IndexState State, long Rows, long SharedKeys, string? Example, TimeSpan Took);

    public enum IndexState
    {
        /// <summary>A unique index on the key was there.</summary>
        Present,
        /// <summary>The unique index was built now.</summary>
        Built,
        /// <summary>Rows share a key: the index is not unique, and a second writer's events are not refused.</summary>
        NotUnique,
    }

    /// <summary>
    /// Makes sure the journal has a unique index on the key, on <paramref name="connection"/>: the writer's
    /// on SQLite (writes wait meanwhile), one of its own on PostgreSQL (built <c>CONCURRENTLY</c>, writes
    /// go on; nodes take turns under an advisory lock, and the next finds the first's index);
    /// <paramref name="building"/> is told the rows first when an index is built.
    /// </summary>
    public Outcome Ensure(JournalDatabase database, DbConnection connection, Action<long> building)
    {
        var started = Stopwatch.StartNew();
        using var schemaLock = database.LockSchema(connection);
        database.DropInvalidIndex(connection, UniqueName);
        var found = KeyIndexes(database, connection);
        if (found.Any(unique => unique))
            return new Outcome(IndexState.Present, 0, 0, null, started.Elapsed);
        var timeout = database.IndexCommandTimeoutSeconds;
        var rows = Scalar(connection, timeout, $"SELECT COUNT(*) FROM {Table}");
        var plain = found.Count > 0;
        var (shared, example) = plain ? SharedKeys(connection, timeout) : (0, null);
        if (shared == 0)
        {
            building(rows);
            try
            {
                Execute(connection, timeout, database.CreateIndex(UniqueName, Columns, unique: true));
                if (plain)
                    Execute(connection, timeout, database.DropIndex(PlainName));
                return new Outcome(IndexState.Built, rows, 0, null, started.Elapsed);
            }
            catch (Exception e) when (database.IsUniqueViolation(e) || database.IsDuplicateName(e))
            {
                // another process built it meanwhile, or rows share a key
                if (KeyIndexes(database, connection).Any(unique => unique))
                    return new Outcome(IndexState.Present, 0, 0, null, started.Elapsed);
                (shared, example) = SharedKeys(connection, timeout);
                if (shared == 0)
                    throw;
                database.DropInvalidIndex(connection, UniqueName);
            }
        }
        if (!plain)
            Execute(connection, timeout, database.CreateIndex(PlainName, Columns, unique: false));
        return new Outcome(IndexState.NotUnique, rows, shared, example, started.Elapsed);
    }

    private string Columns => $"{Table} ({JournalInsert.Quote(PersistenceId)}, {JournalInsert.Quote(SequenceNumber)})";

    /// <summary>Whether each index on exactly the key is unique.</summary>
    private List<bool> KeyIndexes(JournalDatabase database, DbConnection connection) =>
        database.Indexes(connection, TableName)
            .Where(index => index.Columns.SequenceEqual([PersistenceId, SequenceNumber], StringComparer.OrdinalIgnoreCase))
            .Select(index => index.Unique)
            .ToList();

    private (long Count, string? Example) SharedKeys(DbConnection connection, int timeout)
    {
        using var command = Command(connection, timeout,
            $"SELECT COUNT(*), MIN(p) FROM (SELECT {JournalInsert.Quote(PersistenceId)} AS p FROM {Table} "
            + $"GROUP BY {JournalInsert.Quote(PersistenceId)}, {JournalInsert.Quote(SequenceNumber)} HAVING COUNT(*) > 1) shared");
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private static long Scalar(DbConnection connection, int timeout, string sql)
    {
        using var command = Command(connection, timeout, sql);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(DbConnection connection, int timeout, string sql)
    {
        using var command = Command(connection, timeout, sql);
        command.ExecuteNonQuery();
    }

    /// <summary>The database's <paramref name="timeout"/>, not the default 30 s: on PostgreSQL an index over millions of rows takes longer on a slow disk.</summary>
    private static DbCommand Command(DbConnection connection, int timeout, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = timeout;
        return command;
    }
}
