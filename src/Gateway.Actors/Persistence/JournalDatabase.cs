using System.Data.Common;
using Akka.Persistence.Sql.Journal.Types;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Actors.Persistence;

/// <summary>
/// The database under the journal, as <see cref="JournalWriter"/> sees it: it opens the writer's
/// connection and inserts a batch of rows in one transaction, each database its fastest way.
/// The columns are those Akka.Persistence.Sql created, in the order of <see cref="JournalInsert"/>.
/// </summary>
public abstract class JournalDatabase(string connectionString)
{
    protected string ConnectionString { get; } = connectionString;

    /// <summary>The database in words, for the log: a file or a host.</summary>
    public abstract string Description { get; }

    /// <summary>Opens the writer's connection with its insert prepared.</summary>
    public abstract JournalConnection Open(JournalInsert insert);

    /// <summary>The database a LinqToDB provider name (Akka.Persistence.Sql's <c>provider-name</c>) names, or null for one Gateway does not write itself.</summary>
    public static JournalDatabase? For(string providerName, string connectionString) =>
        providerName.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase) ? new Sqlite(connectionString)
        : providerName.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase) ? new PostgreSql(connectionString)
        : null;

    /// <summary>
    /// SQLite is in the process: a statement costs no round trip, so the prepared one-row
    /// <c>INSERT</c> runs once per row inside one transaction, and the commit pays the fsync once.
    /// </summary>
    private sealed class Sqlite(string connectionString) : JournalDatabase(connectionString)
    {
        public override string Description => $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}";

        public override JournalConnection Open(JournalInsert insert)
        {
            var connection = new SqliteConnection(ConnectionString);
            try
            {
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    // as SqliteJournalConnection sets for the pooled connections: wait out the snapshot store's writes, small cache
                    pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA cache_size = -256;";
                    pragma.ExecuteNonQuery();
                }
                var command = connection.CreateCommand();
                command.CommandText = $"INSERT INTO {insert.Into} VALUES ({string.Join(", ", Enumerable.Range(0, insert.Columns).Select(i => $"@p{i}"))})";
                for (var i = 0; i < insert.Columns; i++)
                    command.Parameters.Add(new SqliteParameter($"@p{i}", null));
                command.Prepare();
                return new SqliteConnectionWriter(connection, command, insert.WriterUuid);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        private sealed class SqliteConnectionWriter(SqliteConnection connection, SqliteCommand command, bool writerUuid) : JournalConnection(connection)
        {
            public override void Insert(IEnumerable<JournalRow> rows)
            {
                using var transaction = Connection.BeginTransaction();
                command.Transaction = (SqliteTransaction)transaction;
                var parameters = command.Parameters;
                foreach (var row in rows)
                {
                    parameters[0].Value = row.Deleted ? 1 : 0;
                    parameters[1].Value = row.PersistenceId;
                    parameters[2].Value = row.SequenceNumber;
                    parameters[3].Value = row.Timestamp;
                    parameters[4].Value = (object?)row.Tags ?? DBNull.Value;
                    parameters[5].Value = row.Message;
                    parameters[6].Value = (object?)row.Identifier ?? DBNull.Value;
                    parameters[7].Value = row.Manifest;
                    if (writerUuid)
                        parameters[8].Value = (object?)row.WriterUuid ?? DBNull.Value;
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
            }

            public override void Dispose()
            {
                command.Dispose();
                base.Dispose();
            }
        }
    }

    /// <summary>
    /// PostgreSQL is a round trip away: a statement per row would cost a round trip per row (and
    /// <c>BEGIN</c>/<c>COMMIT</c> two more). The whole batch goes as one prepared statement instead,
    /// a column per array parameter unnested into rows: one round trip, atomic as one statement is.
    /// </summary>
    private sealed class PostgreSql(string connectionString) : JournalDatabase(connectionString)
    {
        private static readonly NpgsqlDbType[] Types =
        [
            NpgsqlDbType.Boolean, NpgsqlDbType.Varchar, NpgsqlDbType.Bigint, NpgsqlDbType.Bigint, NpgsqlDbType.Varchar,
            NpgsqlDbType.Bytea, NpgsqlDbType.Integer, NpgsqlDbType.Varchar, NpgsqlDbType.Varchar,
        ];

        public override string Description
        {
            get
            {
                var postgres = new NpgsqlConnectionStringBuilder(ConnectionString);
                return $"PostgreSQL {postgres.Host}:{postgres.Port}/{postgres.Database ?? postgres.Username}";
            }
        }

        public override JournalConnection Open(JournalInsert insert)
        {
            var connection = new NpgsqlConnection(ConnectionString);
            try
            {
                connection.Open();
                var command = connection.CreateCommand();
                command.CommandText = $"INSERT INTO {insert.Into} SELECT * FROM unnest({string.Join(", ", Enumerable.Range(0, insert.Columns).Select(i => $"@p{i}"))})";
                for (var i = 0; i < insert.Columns; i++)
                    command.Parameters.Add(new NpgsqlParameter($"@p{i}", NpgsqlDbType.Array | Types[i]));
                command.Prepare();
                return new PostgreSqlConnectionWriter(connection, command, insert.WriterUuid);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        private sealed class PostgreSqlConnectionWriter(NpgsqlConnection connection, NpgsqlCommand command, bool writerUuid) : JournalConnection(connection)
        {
            public override void Insert(IEnumerable<JournalRow> rows)
            {
                var all = rows as IReadOnlyList<JournalRow> ?? rows.ToList();
                var parameters = command.Parameters;
                parameters[0].Value = all.Select(r => r.Deleted).ToArray();
                parameters[1].Value = all.Select(r => r.PersistenceId).ToArray();
                parameters[2].Value = all.Select(r => r.SequenceNumber).ToArray();
                parameters[3].Value = all.Select(r => r.Timestamp).ToArray();
                parameters[4].Value = all.Select(r => r.Tags).ToArray();
                parameters[5].Value = all.Select(r => r.Message).ToArray();
                parameters[6].Value = all.Select(r => r.Identifier).ToArray();
                parameters[7].Value = all.Select(r => r.Manifest).ToArray();
                if (writerUuid)
                    parameters[8].Value = all.Select(r => r.WriterUuid).ToArray();
                command.ExecuteNonQuery();
            }

            public override void Dispose()
            {
                command.Dispose();
                base.Dispose();
            }
        }
    }
}

/// <summary>
/// The journal table's <c>INSERT</c>, database aside: <see cref="Into"/> names the table and its
/// columns (deleted, persistence id, sequence number, created, tags, message, identifier, manifest,
/// and the writer's uuid when the table has it), quoted.
/// </summary>
public sealed record JournalInsert(string Into, int Columns, bool WriterUuid)
{
    public static JournalInsert For(string table, Akka.Persistence.Sql.Config.JournalTableColumnNames columns, bool writerUuid)
    {
        var names = new List<string>
        {
            columns.Deleted, columns.PersistenceId, columns.SequenceNumber, columns.Created, columns.Tags, columns.Message,
            columns.Identifier, columns.Manifest,
        };
        if (writerUuid)
            names.Add(columns.WriterUuid);
        return new JournalInsert($"\"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))})", names.Count, writerUuid);
    }
}

/// <summary>The writer's open connection: <see cref="Insert"/> stores a batch of rows in one transaction, or none of them.</summary>
public abstract class JournalConnection(DbConnection connection) : IDisposable
{
    protected DbConnection Connection { get; } = connection;

    public abstract void Insert(IEnumerable<JournalRow> rows);

    public virtual void Dispose() => Connection.Dispose();
}
