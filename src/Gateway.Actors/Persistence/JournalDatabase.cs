using System.Data.Common;
using Akka.Persistence.Sql.Journal.Types;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

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
    public JournalConnection Open(JournalInsert insert)
    {
        var connection = NewConnection();
        try
        {
            connection.Open();
            SetUp(connection, writer: true);
            var command = connection.CreateCommand();
            command.CommandText = Insert(insert.Into, string.Join(", ", Enumerable.Range(0, insert.Columns).Select(i => $"@p{i}")));
            for (var i = 0; i < insert.Columns; i++)
                command.Parameters.Add(Parameter($"@p{i}", i));
            command.Prepare();
            return Writer(connection, command, insert.WriterUuid);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A connection of its own for a reader, open and set up as the writer's is.</summary>
    public async Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = NewConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            SetUp(connection, writer: false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A connection to the database, not yet open.</summary>
    protected abstract DbConnection NewConnection();

    /// <summary>What the connection needs once open, before the <paramref name="writer"/> or a reader uses it.</summary>
    protected virtual void SetUp(DbConnection connection, bool writer)
    {
    }

    /// <summary>The statement: <paramref name="into"/> the table and columns, from the <paramref name="parameters"/>.</summary>
    protected abstract string Insert(string into, string parameters);

    /// <summary>The parameter <paramref name="name"/> for the column at <paramref name="column"/>.</summary>
    protected abstract DbParameter Parameter(string name, int column);

    /// <summary>What writes rows through the prepared <paramref name="command"/>.</summary>
    protected abstract JournalConnection Writer(DbConnection connection, DbCommand command, bool writerUuid);

    /// <summary>The indexes of <paramref name="table"/> (its name, unquoted): whether each is unique, and its columns in order.</summary>
    public abstract IReadOnlyList<(bool Unique, IReadOnlyList<string> Columns)> Indexes(DbConnection connection, string table);

    /// <summary>Whether <paramref name="error"/> is the database refusing a row whose key a row already has.</summary>
    public abstract bool IsUniqueViolation(Exception error);

    /// <summary>Whether <paramref name="error"/> says a table or index of that name is there already.</summary>
    public virtual bool IsDuplicateName(Exception error) => false;

    /// <summary>
    /// Whether an index is built beside the writes, on a connection of its own: true where the database
    /// builds one without holding writes back (PostgreSQL's <c>CONCURRENTLY</c>); SQLite has one writer,
    /// so there the build takes the writer's turn.
    /// </summary>
    public virtual bool BuildsIndexBesideWrites => false;

    /// <summary>
    /// The command timeout of the key index's statements, in seconds (0: none). PostgreSQL: none, since
    /// there a timeout cancels the build, which takes minutes on a big journal. SQLite overrides it.
    /// </summary>
    public virtual int IndexCommandTimeoutSeconds => 0;

    /// <summary>The statement that builds an index named <paramref name="name"/> on <paramref name="on"/> (a table and its columns).</summary>
    public virtual string CreateIndex(string name, string on, bool unique) =>
        $"CREATE {(unique ? "UNIQUE " : "")}INDEX IF NOT EXISTS {JournalInsert.Quote(name)} ON {on}";

    /// <summary>The statement that drops the index <paramref name="name"/>.</summary>
    public virtual string DropIndex(string name) => $"DROP INDEX IF EXISTS {JournalInsert.Quote(name)}";

    /// <summary>
    /// Takes the journal's schema lock on <paramref name="connection"/> until disposed, so that one node at
    /// a time looks at and builds its indexes; nothing where one process writes the database.
    /// </summary>
    public virtual IDisposable LockSchema(DbConnection connection) => NoLock.Instance;

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>Drops the index <paramref name="name"/> if a build that failed left it unusable (PostgreSQL's <c>CONCURRENTLY</c> does).</summary>
    public virtual void DropInvalidIndex(DbConnection connection, string name)
    {
    }

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

        /// <summary>The journal's file, when it is a plain path (not <c>:memory:</c>, not a <c>file:</c> URI).</summary>
        private readonly string? _file = new SqliteConnectionStringBuilder(connectionString) is { DataSource: { Length: > 0 } source, Mode: not SqliteOpenMode.Memory }
            && source != ":memory:" && !source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(source) : null;

        /// <summary>
        /// Set once the journal's file was found gone from its path: from then on nothing is written.
        /// SQLite's open connections go on writing a file that was deleted (or moved away), so those
        /// changes would be answered stored and be gone at the next start, which would find no journal
        /// and take every backend out of HAProxy; and a connection opened again would write a new, empty file.
        /// </summary>
        private volatile string? _gone;

        /// <summary>Throws when the journal's file is not at its path (checked before each transaction: one <c>stat</c>).</summary>
        private void EnsureFileThere()
        {
            if (_gone is null && _file is not null && !File.Exists(_file))
                _gone = $"the journal's file [{_file}] was removed or moved away while the node ran; nothing is written until the node restarts on a journal";
            if (_gone is { } why)
                throw new IOException(why);
        }

        protected override DbConnection NewConnection() => new SqliteConnection(ConnectionString);

        /// <summary>
        /// As long as SQLite's busy wait: Microsoft.Data.Sqlite retries a statement that another
        /// connection's write holds up until the command timeout (a running build is not cut short), so a
        /// build held up (a backup, another process) fails and is retried with a warning instead of
        /// holding the writer's turn, and every write behind it, without a word.
        /// </summary>
        public override int IndexCommandTimeoutSeconds => SqliteJournalConnection.BusyTimeoutMs / 1000;

        // as the pooled connections: wait out the snapshot store's writes, checkpoints, a read-only open not pooled; the writer's cache holds the key index's pages
        protected override void SetUp(DbConnection connection, bool writer) =>
            SqliteJournalConnection.SetUp(connection, SqliteJournalConnection.Pragma + (writer ? SqliteJournalConnection.WriterPragma : ""));

        protected override string Insert(string into, string parameters) => $"INSERT INTO {into} VALUES ({parameters})";

        protected override DbParameter Parameter(string name, int column) => new SqliteParameter(name, null);

        /// <summary>The file is watched only if it is where the path says once the connection is open: a path read wrong must not refuse every write.</summary>
        protected override JournalConnection Writer(DbConnection connection, DbCommand command, bool writerUuid) =>
            new SqliteConnectionWriter(connection, command, writerUuid, _gone is not null || (_file is not null && File.Exists(_file)) ? EnsureFileThere : () => { });

        public override IReadOnlyList<(bool Unique, IReadOnlyList<string> Columns)> Indexes(DbConnection connection, string table)
        {
            var names = new List<(string Name, bool Unique)>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name, \"unique\" FROM pragma_index_list($table)";
                list.Parameters.Add(new SqliteParameter("$table", table));
                using var reader = list.ExecuteReader();
                while (reader.Read())
                    names.Add((reader.GetString(0), reader.GetInt64(1) != 0));
            }
            return names.Select(index =>
            {
                using var info = connection.CreateCommand();
                info.CommandText = "SELECT name FROM pragma_index_info($index) ORDER BY seqno";
                info.Parameters.Add(new SqliteParameter("$index", index.Name));
                using var reader = info.ExecuteReader();
                var columns = new List<string>();
                while (reader.Read())
                    columns.Add(reader.GetString(0));
                return (index.Unique, (IReadOnlyList<string>)columns);
            }).ToList();
        }

        public override bool IsUniqueViolation(Exception error) => error is SqliteException { SqliteErrorCode: raw.SQLITE_CONSTRAINT };

        private sealed class SqliteConnectionWriter(DbConnection connection, DbCommand command, bool writerUuid, Action ensureFileThere)
            : JournalConnection(connection, command)
        {
            /// <summary>The write lock taken first (<c>BEGIN IMMEDIATE</c>), waited for no longer than <paramref name="within"/>: then nothing is written.</summary>
            public override void Insert(IEnumerable<JournalRow> rows, TimeSpan within)
            {
                if (!TryInsert(rows, (int)Math.Clamp(within.TotalMilliseconds, 1, SqliteJournalConnection.BusyTimeoutMs)))
                    throw new TimeoutException($"another connection held the journal's write lock for [{within.TotalSeconds:0.0}] s; not written");
            }

            /// <summary>
            /// <c>BEGIN IMMEDIATE</c> without SQLite's busy wait: with another connection writing (the
            /// snapshot store, a backup) it returns at once, holding nothing.
            /// </summary>
            public override bool TryInsertNow(IEnumerable<JournalRow> rows) => TryInsert(rows, 0);

            /// <summary>
            /// Begun and ended through SQLite itself, since Microsoft.Data.Sqlite retries a busy
            /// <c>BEGIN</c> with 150 ms sleeps until its command timeout; false, holding nothing, when
            /// another connection kept the write lock for <paramref name="busyWaitMs"/>.
            /// </summary>
            private bool TryInsert(IEnumerable<JournalRow> rows, int busyWaitMs)
            {
                ensureFileThere();
                var db = ((SqliteConnection)Connection).Handle!;
                raw.sqlite3_busy_timeout(db, busyWaitMs);
                var begun = raw.sqlite3_exec(db, "BEGIN IMMEDIATE");
                raw.sqlite3_busy_timeout(db, SqliteJournalConnection.BusyTimeoutMs);
                if (begun == raw.SQLITE_BUSY)
                    return false;
                SqliteException.ThrowExceptionForRC(begun, db);
                try
                {
                    Command.Transaction = null;
                    InsertEach(rows);
                    SqliteException.ThrowExceptionForRC(raw.sqlite3_exec(db, "COMMIT"), db);
                    return true;
                }
                catch
                {
                    if (raw.sqlite3_get_autocommit(db) == 0)
                        raw.sqlite3_exec(db, "ROLLBACK");
                    throw;
                }
            }

            private void InsertEach(IEnumerable<JournalRow> rows)
            {
                var parameters = Command.Parameters;
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
                    Command.ExecuteNonQuery();
                }
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

        protected override DbConnection NewConnection() => new NpgsqlConnection(ConnectionString);

        protected override string Insert(string into, string parameters) => $"INSERT INTO {into} SELECT * FROM unnest({parameters})";

        protected override DbParameter Parameter(string name, int column) => new NpgsqlParameter(name, NpgsqlDbType.Array | Types[column]);

        protected override JournalConnection Writer(DbConnection connection, DbCommand command, bool writerUuid) =>
            new PostgreSqlConnectionWriter(connection, command, writerUuid);

        public override IReadOnlyList<(bool Unique, IReadOnlyList<string> Columns)> Indexes(DbConnection connection, string table)
        {
            using var list = connection.CreateCommand();
            list.CommandText = """
                SELECT i.indisunique, array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                                            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n)
                FROM pg_index i WHERE i.indrelid = to_regclass(@table) AND i.indisvalid
                """;
            list.Parameters.Add(new NpgsqlParameter("@table", NpgsqlDbType.Text) { Value = JournalInsert.Quote(table) });
            using var reader = list.ExecuteReader();
            var indexes = new List<(bool, IReadOnlyList<string>)>();
            while (reader.Read())
                indexes.Add((reader.GetBoolean(0), reader.GetFieldValue<string[]>(1)));
            return indexes;
        }

        public override bool IsUniqueViolation(Exception error) => error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

        public override bool IsDuplicateName(Exception error) => error is PostgresException { SqlState: PostgresErrorCodes.DuplicateTable };

        public override bool BuildsIndexBesideWrites => true;

        public override string CreateIndex(string name, string on, bool unique) =>
            $"CREATE {(unique ? "UNIQUE " : "")}INDEX CONCURRENTLY IF NOT EXISTS {JournalInsert.Quote(name)} ON {on}";

        public override string DropIndex(string name) => $"DROP INDEX CONCURRENTLY IF EXISTS {JournalInsert.Quote(name)}";

        /// <summary>
        /// A session advisory lock, tried every 200 ms rather than waited for: a build <c>CONCURRENTLY</c> waits
        /// for every transaction older than it, and a statement waiting for the lock would be one.
        /// </summary>
        /// <remarks>Unlocked explicitly: a pooled connection keeps its session, and its locks, after it is closed.</remarks>
        public override IDisposable LockSchema(DbConnection connection)
        {
            using (var lockSchema = connection.CreateCommand())
            {
                lockSchema.CommandText = $"SELECT pg_try_advisory_lock({SchemaLock})";
                while (lockSchema.ExecuteScalar() is not true)
                    Thread.Sleep(200);
            }
            return new Unlock(connection);
        }

        private const string SchemaLock = "hashtext('gateway journal schema')";

        private sealed class Unlock(DbConnection connection) : IDisposable
        {
            public void Dispose()
            {
                if (connection.State != System.Data.ConnectionState.Open)
                    return; // the session ended, and its lock with it
                using var unlock = connection.CreateCommand();
                unlock.CommandText = $"SELECT pg_advisory_unlock({SchemaLock})";
                unlock.ExecuteNonQuery();
            }
        }

        /// <summary>A build <c>CONCURRENTLY</c> that failed leaves its index invalid, and <c>IF NOT EXISTS</c> would keep it so.</summary>
        public override void DropInvalidIndex(DbConnection connection, string name)
        {
            using var invalid = connection.CreateCommand();
            invalid.CommandText = "SELECT count(*) FROM pg_index i WHERE i.indexrelid = to_regclass(@index) AND NOT i.indisvalid";
            invalid.Parameters.Add(new NpgsqlParameter("@index", NpgsqlDbType.Text) { Value = JournalInsert.Quote(name) });
            if (Convert.ToInt64(invalid.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
                return;
            using var drop = connection.CreateCommand();
            drop.CommandText = DropIndex(name);
            drop.CommandTimeout = 0;
            drop.ExecuteNonQuery();
        }

        private sealed class PostgreSqlConnectionWriter(DbConnection connection, DbCommand command, bool writerUuid) : JournalConnection(connection, command)
        {
            /// <summary>One statement, cancelled (and so not committed) when it has not ended within <paramref name="within"/>.</summary>
            public override void Insert(IEnumerable<JournalRow> rows, TimeSpan within)
            {
                Command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(within.TotalSeconds));
                var all = rows as IReadOnlyList<JournalRow> ?? rows.ToList();
                var parameters = Command.Parameters;
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
                Command.ExecuteNonQuery();
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
        return new JournalInsert($"{Quote(table)} ({string.Join(", ", names.Select(Quote))})", names.Count, writerUuid);
    }

    /// <summary>A table or column name as SQL quotes it (SQLite and PostgreSQL alike).</summary>
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

/// <summary>The writer's open connection: <see cref="Insert"/> stores a batch of rows in one transaction, or none of them.</summary>
public abstract class JournalConnection(DbConnection connection, DbCommand command) : IDisposable
{
    protected DbConnection Connection { get; } = connection;

    /// <summary>The prepared insert.</summary>
    protected DbCommand Command { get; } = command;

    /// <summary>
    /// Stores <paramref name="rows"/> in one transaction, or none of them; a wait for another
    /// connection's lock (or the server) longer than <paramref name="within"/> ends it unwritten.
    /// </summary>
    public abstract void Insert(IEnumerable<JournalRow> rows, TimeSpan within);

    /// <summary>
    /// Inserts <paramref name="rows"/> in one transaction if that waits for nothing but the database's
    /// own work (no other writer's lock, no server round trip); false, having written nothing, else.
    /// </summary>
    public virtual bool TryInsertNow(IEnumerable<JournalRow> rows) => false;

    /// <summary>Runs other <paramref name="work"/> on this connection (outside any transaction).</summary>
    public T Use<T>(Func<DbConnection, T> work) => work(Connection);

    public void Dispose()
    {
        Command.Dispose();
        Connection.Dispose();
    }
}
