using System.Data.Common;
using Akka.Actor;
using Akka.Persistence.Sql.Config;
using static Gateway.Actors.Persistence.JournalInsert;

namespace Gateway.Actors.Persistence;

/// <summary>What <see cref="NewestEventsReader"/> found after an offset.</summary>
/// <param name="Newest">The newest event of each persistence id read: its id, sequence number and payload.</param>
/// <param name="SettledOffset">The highest ordering before the first event younger than the settle time; 0 when none.</param>
/// <param name="Events">How many events were written after the offset (all of them, not only those read).</param>
public sealed record NewestEvents(IReadOnlyList<(string PersistenceId, long SequenceNr, object Event)> Newest, long SettledOffset, long Events);

/// <summary>
/// Reads, straight from the journal table Gateway's writer fills, only the newest event of each
/// persistence id with a prefix written after an offset: where each event holds its writer's
/// whole state (a backend's), that one is the state, and the events before it need not be
/// deserialized at all. Folding the tag instead deserializes and folds every event, 17–40 µs of
/// CPU each in the benches. Two statements, the settled offset first: an event committed between them is read
/// by the second (folded early, harmless) and never skipped by the offset.
/// </summary>
public sealed class NewestEventsReader
{
    private readonly JournalDatabase _database;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly string _settled, _newest;

    public NewestEventsReader(JournalDatabase database, string table, JournalTableColumnNames columns, Akka.Serialization.Serialization serialization)
    {
        _database = database;
        _serialization = serialization;
        var (t, ordering, id, sequence, created, deleted) = (Quote(table), Quote(columns.Ordering), Quote(columns.PersistenceId),
            Quote(columns.SequenceNumber), Quote(columns.Created), Quote(columns.Deleted));
        // the first event younger than the settle time; the offset stays before it (and before any not yet visible)
        _settled = $"""
            SELECT COUNT(*), MAX(CASE WHEN {ordering} < COALESCE(young.first, {long.MaxValue}) THEN {ordering} END)
            FROM {t}, (SELECT MIN({ordering}) AS first FROM {t} WHERE {ordering} > @after AND {created} > @settledBefore) young
            WHERE {ordering} > @after
            """;
        // A persistence id's events take the ordering in the order of their sequence numbers (one writer
        // at a time, each write after the last one is stored), so its highest ordering is its newest
        // event, found again by the primary key: SQLite's journal has no index on the persistence id.
        _newest = $"""
            SELECT e.{id}, e.{sequence}, e.{Quote(columns.Message)}, e.{Quote(columns.Identifier)}, e.{Quote(columns.Manifest)}
            FROM {t} e
            JOIN (SELECT MAX({ordering}) AS newest FROM {t}
                  WHERE {ordering} > @after AND {id} LIKE @prefix AND NOT {deleted} GROUP BY {id}) n
              ON e.{ordering} = n.newest
            """;
    }

    /// <summary>
    /// The newest event of each persistence id starting with <paramref name="prefix"/> written after
    /// <paramref name="after"/>, and the offset up to which every event is older than <paramref name="settledBefore"/>.
    /// </summary>
    public async Task<NewestEvents> ReadAsync(string prefix, long after, DateTime settledBefore, CancellationToken cancellationToken)
    {
        if (prefix.AsSpan().IndexOfAny('%', '_') >= 0)
            throw new ArgumentException($"a prefix is matched with LIKE and may not hold '%' or '_': [{prefix}]", nameof(prefix));
        await using var connection = await _database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        long events, settled;
        await using (var command = Command(connection, _settled, after))
        {
            command.Parameters.Add(Parameter(command, "@settledBefore", settledBefore.Ticks)); // Akka.Persistence.Sql stamps rows with UTC ticks
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            events = reader.GetInt64(0);
            settled = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        }
        var newest = new List<(string, long, object)>();
        await using (var command = Command(connection, _newest, after))
        {
            command.Parameters.Add(Parameter(command, "@prefix", prefix + "%"));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var payload = (byte[])reader.GetValue(2);
                var evt = _serialization.Deserialize(payload, reader.GetInt32(3), reader.GetString(4));
                newest.Add((reader.GetString(0), reader.GetInt64(1), evt));
            }
        }
        return new NewestEvents(newest, settled, events);
    }

    private static DbCommand Command(DbConnection connection, string text, long after)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Parameters.Add(Parameter(command, "@after", after));
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        return parameter;
    }

    /// <summary>
    /// The reader of the journal the system writes through <see cref="GatewayWriteJournal"/>, or null
    /// when its journal is another (an in-memory one in tests): then the tag is folded instead.
    /// </summary>
    public static NewestEventsReader? For(ActorSystem system)
    {
        var config = system.Settings.Config;
        var plugin = config.GetString("akka.persistence.journal.plugin");
        if (string.IsNullOrEmpty(plugin) || config.GetConfig(plugin) is not { IsEmpty: false } journal
            || !journal.GetString("class", "").StartsWith(typeof(GatewayWriteJournal).FullName!, StringComparison.Ordinal))
            return null;
        var settings = new JournalConfig(journal.WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultJournalConfiguration));
        var table = settings.TableConfig.EventJournalTable;
        return new NewestEventsReader(GatewayWriteJournal.Database(system, journal, settings.PluginId), table.Name, table.ColumnNames,
            system.Serialization);
    }
}
