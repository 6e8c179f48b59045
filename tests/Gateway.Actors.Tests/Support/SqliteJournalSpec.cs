using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using Gateway.Actors.Persistence;
using LinqToDB;
using Akka.Persistence.Sql.Query;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Support;

/// <summary>
/// A TestKit whose journal, snapshot store and read journal are Akka.Persistence.Sql over a real
/// SQLite file of its own (/tmp/gwa-&lt;guid&gt;.db, deleted at dispose), with Gateway's messages
/// bound to <see cref="Gateway.Shared.Serialization.GatewaySerializer"/> as in the node. The
/// journal is the one a node runs on, so what recovery, snapshots and the persistence-id query
/// see here is what they see in production.
/// </summary>
public abstract class SqliteJournalSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>The read journal the backend manager lists persistence ids through.</summary>
    protected static readonly string ReadJournalId = SqlReadJournal.Identifier;

    protected SqliteJournalSpec(ITestOutputHelper output, string? extraHocon = null)
        : this(NewDatabase(), output, extraHocon)
    {
    }

    private SqliteJournalSpec(string database, ITestOutputHelper output, string? extraHocon)
        : base(Setup(database, extraHocon), output: output)
    {
        DatabasePath = database;
    }

    /// <summary>
    /// The HOCON below, and the journal's connection options as a node sets them
    /// (<see cref="SqliteJournalConnection"/>).
    /// </summary>
    private static ActorSystemSetup Setup(string database, string? extraHocon)
    {
        var options = new DataOptions().UseConnectionString(ProviderName.SQLiteMS, ConnectionStringFor(database))
            .UseInterceptor(new SqliteJournalConnection());
        return ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(Configure(database, extraHocon)), new DataOptionsSetup(options));
    }

    /// <summary>
    /// The <see cref="Gateway.Actors.Persistence.JournalReadinessActor"/> that hands the read journal to
    /// the catalog and the manager, as a node has; one per spec, made on first use.
    /// </summary>
    protected IActorRef Journal => _journal ??= Sys.ActorOf(Gateway.Actors.Persistence.JournalReadinessActor.Props(ReadJournalId, "SQLite journal"), "journal");

    private IActorRef? _journal;

    /// <summary>Starts the <see cref="UndeliveredCommandsActor"/>, as a node has, and returns once it listens to dead letters.</summary>
    protected void StartUndeliveredCommands()
    {
        Sys.ActorOf(UndeliveredCommandsActor.Props()).Tell(new Identify(null));
        ExpectMsg<ActorIdentity>();
    }

    private static readonly TimeSpan HistoryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Writes a backend's history straight through a <see cref="Gateway.Actors.Backends.BackendActor"/>, then stops it.</summary>
    protected void History(string name, params object[] commands)
    {
        var desired = CreateTestProbe();
        var actor = Sys.ActorOf(Gateway.Actors.Backends.BackendActor.Props(name, desired), $"history-{name}-{Guid.NewGuid():N}");
        // a recovery and a write: generous deadlines, the machine may be busy with other specs' journals
        desired.ExpectMsg<Gateway.Shared.Messages.BackendStateChanged>(HistoryTimeout);
        foreach (var command in commands)
        {
            actor.Tell(command);
            ExpectMsg<object>(reply => reply is Gateway.Shared.Messages.BackendAccepted or Gateway.Shared.Messages.BackendRemoved, HistoryTimeout);
        }
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
    }

    /// <summary>Writes the journal took and transactions it committed so far (<see cref="GatewayWriteJournal"/>).</summary>
    protected GatewayWriteJournal.WriteCounts WriteCounts() =>
        Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null)
            .Ask<GatewayWriteJournal.WriteCounts>(GatewayWriteJournal.GetWriteCounts.Instance, TimeSpan.FromSeconds(10)).Result;

    protected string DatabasePath { get; }

    protected string ConnectionString => ConnectionStringFor(DatabasePath);

    public static Config Configure(string database, string? extraHocon = null) =>
        ConfigurationFactory.ParseString((extraHocon ?? "") + "\n" + $$"""
            akka {
              loglevel = DEBUG
              # the first journal access of a spec warms up LinqToDB and creates the tables: seconds, and more than 10 on a loaded machine
              test.single-expect-default = 20s
              actor {
                serializers.gateway-json = "Gateway.Shared.Serialization.GatewaySerializer, Gateway.Shared"
                serialization-bindings {
                  "Gateway.Shared.Messages.IGatewayMessage, Gateway.Shared" = gateway-json
                }
              }
              persistence {
                journal {
                  plugin = "akka.persistence.journal.sql"
                  sql {
                    # as hocon/journal-sqlite.conf: Gateway's own SQLite writer
                    class = "Gateway.Actors.Persistence.GatewayWriteJournal, Gateway.Actors"
                    connection-string = "{{ConnectionStringFor(database)}}"
                    provider-name = "{{LinqToDB.ProviderName.SQLiteMS}}"
                    tag-write-mode = Csv
                    auto-initialize = on
                  }
                }
                snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql {
                    connection-string = "{{ConnectionStringFor(database)}}"
                    provider-name = "{{LinqToDB.ProviderName.SQLiteMS}}"
                    auto-initialize = on
                  }
                }
                query.journal.sql {
                  write-plugin = "akka.persistence.journal.sql"
                  connection-string = "{{ConnectionStringFor(database)}}"
                  provider-name = "{{LinqToDB.ProviderName.SQLiteMS}}"
                  tag-read-mode = Csv
                  refresh-interval = 100ms
                }
              }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);

    /// <summary>Rows of the journal table for one persistence id, oldest first, as a node's database holds them.</summary>
    protected IReadOnlyList<JournalRow> JournalRows(string persistenceId)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, manifest, identifier, message FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", persistenceId);
        using var reader = command.ExecuteReader();
        var rows = new List<JournalRow>();
        while (reader.Read())
            rows.Add(new JournalRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3]));
        return rows;
    }

    /// <summary>Rows of the snapshot table for one persistence id, oldest first.</summary>
    protected IReadOnlyList<(long SequenceNr, string Manifest)> SnapshotRows(string persistenceId)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, manifest FROM snapshot WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", persistenceId);
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string)>();
        while (reader.Read())
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        return rows;
    }

    /// <summary>
    /// Holds SQLite's write lock until disposed, as another writer in the middle of a transaction
    /// does: the journal's writes wait for it (up to their time, 5 s, then they are refused unwritten), reads go on.
    /// </summary>
    protected IDisposable HeldWriteLock()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        return new Restore(() =>
        {
            using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
            connection.Dispose();
        });
    }

    /// <summary>
    /// Makes the database files immutable (<c>chattr +i</c>: as root, file modes do not stop writes)
    /// until disposed: every write fails with SQLite's "disk I/O error", reads go on, as with a full or
    /// broken disk.
    /// </summary>
    protected IDisposable UnwritableJournal() => new Gateway.Testing.Immutable(DatabaseFiles);

    private string[] DatabaseFiles => [DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm"];

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
            return;
        Gateway.Testing.Immutable.Undo(DatabaseFiles); // a test that failed half way must not leave files nobody can delete
        using (var connection = new SqliteConnection(ConnectionString))
            SqliteConnection.ClearPool(connection);
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm", DatabasePath + "-journal" })
            File.Delete(file);
    }

    private static string NewDatabase() => Path.Combine(Path.GetTempPath(), $"gwa-{Guid.NewGuid():N}.db");

    private static string ConnectionStringFor(string database) => $"Data Source={database}";
}

/// <summary>One row of the journal table.</summary>
public sealed record JournalRow(long SequenceNr, string Manifest, int SerializerId, byte[] Payload)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}
