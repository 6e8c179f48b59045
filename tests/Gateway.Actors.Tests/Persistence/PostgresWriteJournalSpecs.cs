using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Gateway.Actors.Persistence;
using Gateway.Actors.Tests.Support;
using Gateway.Testing;
using Npgsql;
using Xunit;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// <see cref="GatewayWriteJournal"/> on PostgreSQL (a throwaway cluster): its rows are those
/// Akka.Persistence.Sql's own journal writes to the same schema, its events replay, and writes that
/// arrive together share transactions (one statement each) and keep their order; a journal table
/// without an index gets its unique key index (<see cref="JournalKeyIndex"/>), built beside the writes,
/// also when nodes make sure of it at once or a failed build left an invalid one.
/// </summary>
public sealed class PostgresWriteJournalSpecs : IAsyncLifetime
{
    private const string Columns = "persistence_id, sequence_number, deleted, tags, message, identifier, manifest, writer_uuid IS NULL";
    private PostgresServer _postgres = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        foreach (var database in new[] { "ours", "theirs", "keys", "waits", "late" })
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = database }.ConnectionString;

    private ActorSystem System(string database, string journalClass) =>
        ActorSystem.Create(database, PostgresJournalConfig.For(ConnectionString(database), journalClass));

    [Fact]
    public async Task Rows_should_be_those_akka_persistence_sql_writes_and_replay()
    {
        using var ours = System("ours", PostgresJournalConfig.GatewayJournal);
        using var theirs = System("theirs", "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql");

        Write(ours, "p-1", [new Tagged("a change", ["gateway"]), "another"]);
        Write(theirs, "p-1", [new Tagged("a change", ["gateway"]), "another"]);

        var rows = await RowsAsync("ours");
        Assert.Equal(2, rows.Count);
        Assert.Equal(await RowsAsync("theirs"), rows);
        var probe = new Akka.TestKit.TestProbe(ours, new Akka.TestKit.Xunit2.XunitAssertions());
        Journal(ours).Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, "p-1", probe.Ref));
        Assert.Equal(["a change", "another"], Enumerable.Range(0, 2).Select(_ => probe.ExpectMsg<ReplayedMessage>(TimeSpan.FromSeconds(30)).Persistent.Payload));
        await ours.Terminate();
        await theirs.Terminate();
    }

    [Fact]
    public async Task Writes_that_arrive_together_should_share_transactions()
    {
        using var ours = System("ours", PostgresJournalConfig.GatewayJournal);
        Write(ours, "warm-up", ["x"]);
        var probe = new Akka.TestKit.TestProbe(ours, new Akka.TestKit.Xunit2.XunitAssertions());
        var before = await Journal(ours).Ask<GatewayWriteJournal.WriteCounts>(GatewayWriteJournal.GetWriteCounts.Instance, TimeSpan.FromSeconds(10));

        // the table is locked meanwhile, as a long transaction elsewhere would: they all wait while the first write does
        await using (var locked = new NpgsqlConnection(ConnectionString("ours")))
        {
            await locked.OpenAsync();
            await using var transaction = await locked.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE journal IN SHARE MODE", locked, transaction))
                await lockTable.ExecuteNonQueryAsync();
            for (var i = 0; i < 200; i++)
                Journal(ours).Tell(new WriteMessages([new AtomicWrite(new Persistent($"change {i}", 1, $"together-{i}"))], probe.Ref, 1), probe.Ref);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((await Journal(ours).Ask<GatewayWriteJournal.WriteCounts>(GatewayWriteJournal.GetWriteCounts.Instance, TimeSpan.FromSeconds(10))).Taken - before.Taken < 200)
            {
                Assert.True(DateTime.UtcNow < deadline, "the writer did not take the 200 writes within 10 s");
                await Task.Delay(20);
            }
            await transaction.RollbackAsync();
        }
        for (var i = 0; i < 200; i++)
        {
            probe.ExpectMsg<WriteMessagesSuccessful>(TimeSpan.FromSeconds(30));
            probe.ExpectMsg<WriteMessageSuccess>();
        }

        var after = await Journal(ours).Ask<GatewayWriteJournal.WriteCounts>(GatewayWriteJournal.GetWriteCounts.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(200, after.Writes - before.Writes);
        Assert.InRange(after.Transactions - before.Transactions, 1, 2); // the one that waited for the lock, and the rest
        Assert.Equal(201, (await RowsAsync("ours")).Count);
        // a batch goes as one statement: its rows still take the journal's ordering in the order they came (the tag queries read by it)
        Assert.Equal(["warm-up", .. Enumerable.Range(0, 200).Select(i => $"together-{i}")], await ByOrderingAsync<string>("ours", "persistence_id"));
        await ours.Terminate();
    }

    [Fact]
    public async Task A_write_held_up_past_its_time_should_be_cancelled_before_the_circuit_breaker_and_never_written()
    {
        using var system = System("late", PostgresJournalConfig.GatewayJournal);
        Write(system, "warm-up", ["x"]);
        var probe = new Akka.TestKit.TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());

        // a long transaction elsewhere holds a lock the insert waits for
        await using (var locked = new NpgsqlConnection(ConnectionString("late")))
        {
            await locked.OpenAsync();
            await using var transaction = await locked.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE journal IN SHARE MODE", locked, transaction))
                await lockTable.ExecuteNonQueryAsync();
            Journal(system).Tell(new WriteMessages([new AtomicWrite(new Persistent("held up", 1, "held-up"))], probe.Ref, 1), probe.Ref);
            // the statement cancelled at its time (5 s, half the breaker's 10 s), while the lock is still held
            probe.ExpectMsg<WriteMessagesFailed>(TimeSpan.FromSeconds(9));
            probe.ExpectMsg<WriteMessageFailure>();
            await transaction.RollbackAsync();
        }

        Write(system, "after", ["y"]);
        Assert.Equal(["warm-up", "after"], await ByOrderingAsync<string>("late", "persistence_id"));
        await system.Terminate();
    }

    [Fact]
    public async Task Newest_events_should_be_read_one_per_persistence_id_with_the_offset_before_young_ones()
    {
        using var ours = System("ours", PostgresJournalConfig.GatewayJournal);
        Write(ours, "backend-a", ["a1", "a2"]);
        Write(ours, "backend-b", ["b1"]);
        Write(ours, "routes", ["r1"]);
        var reader = NewestEventsReader.For(ours)!;
        var orderings = await ByOrderingAsync<long>("ours", "ordering");

        var settled = await reader.ReadAsync("backend-", 0, DateTime.UtcNow.AddMinutes(1), CancellationToken.None);
        var young = await reader.ReadAsync("backend-", 0, DateTime.UtcNow.AddHours(-1), CancellationToken.None);
        var since = await reader.ReadAsync("backend-", orderings[1], DateTime.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Equal([("backend-a", 2L, (object)"a2"), ("backend-b", 1L, "b1")], settled.Newest.OrderBy(e => e.PersistenceId));
        Assert.Equal((orderings[^1], 4L), (settled.SettledOffset, settled.Events));
        Assert.Equal(settled.Newest.OrderBy(e => e.PersistenceId), young.Newest.OrderBy(e => e.PersistenceId));
        Assert.Equal((0L, 4L), (young.SettledOffset, young.Events)); // every event is younger than the settle time
        Assert.Equal([("backend-b", 1L, (object)"b1")], since.Newest);
        Assert.Equal((orderings[^1], 2L), (since.SettledOffset, since.Events));
        await ours.Terminate();
    }

    private static IActorRef Journal(ActorSystem system) => Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null);

    private static void Write(ActorSystem system, string persistenceId, object[] payloads)
    {
        var probe = new Akka.TestKit.TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
        var events = payloads.Select((payload, i) => (IPersistentRepresentation)new Persistent(payload, i + 1, persistenceId)).ToImmutableList();
        Journal(system).Tell(new WriteMessages([new AtomicWrite(events)], probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(TimeSpan.FromSeconds(60)); // the first write creates the tables
        foreach (var _ in payloads)
            probe.ExpectMsg<WriteMessageSuccess>();
    }

    [Fact]
    public async Task A_journal_without_an_index_should_get_a_unique_one_also_when_nodes_make_sure_at_once_or_a_failed_build_left_one()
    {
        var key = new JournalKeyIndex("journal", "persistence_id", "sequence_number");
        var database = JournalDatabase.For(LinqToDB.ProviderName.PostgreSQL15, ConnectionString("keys"))!;
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = new NpgsqlConnection(ConnectionString("keys"));
            await connection.OpenAsync();
            connections.Add(connection);
        }
        try
        {
            // the columns the key needs, as Akka.Persistence.Sql names them; its other columns do not matter here
            JournalKeyIndexSpecs.Execute(connections[0], "CREATE TABLE journal (ordering BIGSERIAL PRIMARY KEY, created BIGINT NOT NULL, deleted BOOLEAN NOT NULL, "
                + "persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL, message BYTEA NOT NULL)");
            JournalKeyIndexSpecs.Insert(connections[0], ("backend-a", 1), ("backend-a", 2), ("backend-a", 2));

            var shared = key.Ensure(database, connections[0], _ => { });
            Assert.Equal((JournalKeyIndex.IndexState.NotUnique, 3L, 1L, "backend-a"), (shared.State, shared.Rows, shared.SharedKeys, shared.Example));
            Assert.Equal([false], database.Indexes(connections[0], key.TableName).Where(i => i.Columns.Count == 2).Select(i => i.Unique));
            Assert.Equal(0L, InvalidIndexes(connections[0])); // the failed unique build's leftover is gone

            // a build that failed elsewhere left its index behind, invalid: it is built again, not kept
            Assert.ThrowsAny<Exception>(() => JournalKeyIndexSpecs.Execute(connections[0], "CREATE UNIQUE INDEX CONCURRENTLY journal_uq ON journal (persistence_id, sequence_number)"));
            Assert.Equal(1L, InvalidIndexes(connections[0]));
            JournalKeyIndexSpecs.Execute(connections[0], "DELETE FROM journal WHERE ordering = 3");
            var outcomes = await Task.WhenAll(connections.Select(connection => Task.Run(() => key.Ensure(database, connection, _ => { }).State)));

            Assert.Contains(JournalKeyIndex.IndexState.Built, outcomes);
            Assert.DoesNotContain(JournalKeyIndex.IndexState.NotUnique, outcomes);
            Assert.Equal([true], database.Indexes(connections[0], key.TableName).Where(i => i.Columns.Count == 2).Select(i => i.Unique));
            Assert.Equal(0L, InvalidIndexes(connections[0]));
            var refused = Assert.ThrowsAny<Exception>(() => JournalKeyIndexSpecs.Insert(connections[0], ("backend-a", 2)));
            Assert.True(database.IsUniqueViolation(refused));
        }
        finally
        {
            foreach (var connection in connections)
                await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_journal_waiting_for_another_nodes_schema_lock_should_say_so_and_go_on_writing()
    {
        // another node making sure of the index holds the journal's schema lock
        await using var other = new NpgsqlConnection(ConnectionString("waits"));
        await other.OpenAsync();
        JournalKeyIndexSpecs.Execute(other, "SELECT pg_advisory_lock(hashtext('gateway journal schema'))");
        using var system = System("waits", PostgresJournalConfig.GatewayJournal);
        var log = new Akka.TestKit.TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
        system.EventStream.Subscribe(log.Ref, typeof(Akka.Event.Info));

        Write(system, "p-1", ["stored while it waits"]);

        var said = log.FishForMessage<Akka.Event.Info>(info => info.ToString().Contains("still making sure of its index", StringComparison.Ordinal),
            GatewayWriteJournal.KeyIndexProgress.First + TimeSpan.FromSeconds(60));
        Assert.Contains("another node holds the journal's schema lock, or the build waits for transactions older than it", said.ToString());
        Assert.Equal(["p-1"], await ByOrderingAsync<string>("waits", "persistence_id"));
        JournalKeyIndexSpecs.Execute(other, "SELECT pg_advisory_unlock(hashtext('gateway journal schema'))");
        await system.Terminate();
    }

    private static long InvalidIndexes(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_index WHERE indrelid = 'journal'::regclass AND NOT indisvalid", connection);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>One column of every journal row, in the journal's order.</summary>
    private async Task<List<T>> ByOrderingAsync<T>(string database, string column)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT {column} FROM journal ORDER BY ordering", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
            values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    private async Task<List<string>> RowsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM journal ORDER BY persistence_id, sequence_number", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i)
                ? "null"
                : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : $"{reader.GetValue(i)}:{reader.GetFieldType(i).Name}")));
        return rows;
    }
}
