using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Gateway.Actors.Persistence;
using Gateway.Actors.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// <see cref="GatewayWriteJournal"/>: the rows it writes are the rows Akka.Persistence.Sql's own journal
/// writes (so its replays and tag queries read them), a write alone commits at once, and writes that
/// arrive together share transactions.
/// </summary>
public sealed class GatewayWriteJournalSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Columns = "persistence_id, sequence_number, deleted, tags, message, identifier, manifest, writer_uuid IS NULL";

    [Fact]
    public async Task Rows_should_be_those_akka_persistence_sql_writes()
    {
        var theirs = Path.Combine(Path.GetTempPath(), $"gwa-{Guid.NewGuid():N}.db");
        var config = ConfigurationFactory.ParseString("akka.persistence.journal.sql.class = \"Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql\"")
            .WithFallback(Configure(theirs));
        var system = ActorSystem.Create("their-journal", config);
        try
        {
            var before = DateTime.UtcNow.Ticks;
            Write(Sys, "p-1", [new Tagged("a change", ["gateway"]), "another"]);
            Write(system, "p-1", [new Tagged("a change", ["gateway"]), "another"]);

            var ours = Rows($"Data Source={DatabasePath}");
            Assert.Equal(2, ours.Count);
            Assert.Equal(Rows($"Data Source={theirs}"), ours);
            Assert.All(Created($"Data Source={DatabasePath}"), created => Assert.InRange(created, before, DateTime.UtcNow.Ticks));
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
            using (var connection = new SqliteConnection($"Data Source={theirs}"))
                SqliteConnection.ClearPool(connection);
            foreach (var file in new[] { theirs, theirs + "-wal", theirs + "-shm" })
                File.Delete(file);
        }
    }

    [Fact]
    public void Events_written_should_be_replayed()
    {
        Write(Sys, "p-2", ["one", "two", "three"]);

        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, "p-2", TestActor));
        Assert.Equal(["one", "two", "three"], Enumerable.Range(0, 3).Select(_ => ExpectMsg<ReplayedMessage>().Persistent.Payload));
        Assert.Equal(3, ExpectMsg<RecoverySuccess>().HighestSequenceNr);
    }

    [Fact]
    public void A_write_alone_should_commit_in_a_transaction_of_its_own_and_writes_together_share_them()
    {
        Write(Sys, "warm-up", ["x"]);
        var before = WriteCounts();

        Write(Sys, "alone", ["x"]);
        var alone = WriteCounts();
        Assert.Equal((1L, 1L), (alone.Writes - before.Writes, alone.Transactions - before.Transactions));

        // 200 persistent ids writing at once, as 200 backends' writers do under a stream of changes;
        // the database is held meanwhile, so they all wait while the first transaction does
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        using (HeldWriteLock())
        {
            for (var i = 0; i < 200; i++)
                journal.Tell(new WriteMessages([new AtomicWrite(new Persistent($"change {i}", 1, $"together-{i}"))], TestActor, 1));
            AwaitCondition(() => WriteCounts().Taken - alone.Taken == 200, TimeSpan.FromSeconds(5));
        }
        for (var i = 0; i < 200; i++)
        {
            ExpectMsg<WriteMessagesSuccessful>();
            ExpectMsg<WriteMessageSuccess>();
        }
        var together = WriteCounts();
        Assert.Equal(200, together.Writes - alone.Writes);
        Assert.InRange(together.Transactions - alone.Transactions, 1, 2); // the one that waited for the lock, and the rest
    }

    [Fact]
    public async Task A_write_after_a_quiet_spell_should_commit_on_the_journal_thread_unless_another_writer_holds_the_database()
    {
        Write(Sys, "warm-up", ["x"]); // opens the writer's connection
        AwaitQuiet();
        var before = WriteCounts();

        Write(Sys, "quiet", ["x"]);

        var quiet = WriteCounts();
        Assert.Equal((1L, 1L, 1L), (quiet.Writes - before.Writes, quiet.Transactions - before.Transactions, quiet.Inline - before.Inline));

        // the snapshot store or a backup writing: the write goes to the writer's thread, and the
        // journal actor goes on answering (it would wait out SQLite's 10 s busy timeout otherwise)
        AwaitQuiet();
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        using (HeldWriteLock())
        {
            journal.Tell(new WriteMessages([new AtomicWrite(new Persistent("held", 1, "held"))], TestActor, 1));
            // asked right behind the write, answered well inside the busy timeout: the journal actor is not the one waiting
            var meanwhile = await journal.Ask<GatewayWriteJournal.WriteCounts>(GatewayWriteJournal.GetWriteCounts.Instance, TimeSpan.FromSeconds(5));
            Assert.Equal((1L, quiet.Writes), (meanwhile.Taken - quiet.Taken, meanwhile.Writes));
        }
        ExpectMsg<WriteMessagesSuccessful>();
        ExpectMsg<WriteMessageSuccess>();
        var held = WriteCounts();
        Assert.Equal((1L, 0L), (held.Writes - quiet.Writes, held.Inline - quiet.Inline));
    }

    [Fact]
    public void A_write_of_a_stored_key_should_fail_alone_not_with_the_writes_that_share_its_transaction()
    {
        Write(Sys, "twice", ["first"]);
        AwaitCondition(() => UniqueKeyIndex(), TimeSpan.FromSeconds(20)); // made sure of at start
        var before = WriteCounts();

        // a second writer of "twice" (a split brain) among two others' writes, all waiting for the database together
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        using (HeldWriteLock())
        {
            foreach (var (id, payload) in new[] { ("other-1", "x"), ("twice", "second writer"), ("other-2", "y") })
                journal.Tell(new WriteMessages([new AtomicWrite(new Persistent(payload, 1, id))], TestActor, 1));
            AwaitCondition(() => WriteCounts().Taken - before.Taken == 3, TimeSpan.FromSeconds(5));
        }

        ExpectMsg<WriteMessagesSuccessful>();
        Assert.Equal("other-1", ExpectMsg<WriteMessageSuccess>().Persistent.PersistenceId);
        ExpectMsg<WriteMessagesFailed>();
        Assert.Equal("twice", ExpectMsg<WriteMessageFailure>().Persistent.PersistenceId);
        ExpectMsg<WriteMessagesSuccessful>();
        Assert.Equal("other-2", ExpectMsg<WriteMessageSuccess>().Persistent.PersistenceId);
        Assert.Equal([1L], JournalRows("twice").Select(row => row.SequenceNr));
    }

    [Fact]
    public void A_write_held_up_past_its_time_should_be_refused_before_the_circuit_breaker_and_never_written_later()
    {
        Write(Sys, "warm-up", ["x"]); // opens the writer's connection
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        var within = GatewayWriteJournal.WriteTimeout(Sys.Settings.Config.GetConfig("akka.persistence.journal.sql")
            .WithFallback(Sys.Settings.Config.GetConfig("akka.persistence.journal-plugin-fallback")));
        Assert.Equal(TimeSpan.FromSeconds(5), within); // half the breaker's 10 s

        using (HeldWriteLock())
        {
            journal.Tell(new WriteMessages([new AtomicWrite(new Persistent("held up", 1, "held-up"))], TestActor, 1));
            // refused by the writer while the lock is still held, before the breaker's 10 s
            ExpectMsg<WriteMessagesFailed>(within + TimeSpan.FromSeconds(3));
            Assert.Contains("not written", ExpectMsg<WriteMessageFailure>().Cause.Message);
        }

        // once the lock is gone the write stays unwritten (before, it committed then, after Akka had
        // answered it failed); a write after it goes through the same writer
        Write(Sys, "after", ["y"]);
        Assert.Empty(JournalRows("held-up"));
        Assert.Single(JournalRows("after"));
    }

    /// <summary>Whether the journal table has a unique index on exactly (persistence_id, sequence_number).</summary>
    private bool UniqueKeyIndex()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        var database = JournalDatabase.For(LinqToDB.ProviderName.SQLiteMS, ConnectionString)!;
        return database.Indexes(connection, "journal").Any(index => index.Unique && index.Columns.SequenceEqual(["persistence_id", "sequence_number"]));
    }

    /// <summary>Waits until no write has committed for twice <see cref="JournalWriter.Quiet"/>: the next write alone may commit inline.</summary>
    private void AwaitQuiet()
    {
        var since = System.Diagnostics.Stopwatch.StartNew();
        AwaitCondition(() => since.Elapsed > 2 * JournalWriter.Quiet, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Persists <paramref name="payloads"/> as <paramref name="persistenceId"/>'s events 1…n in one atomic write, through <paramref name="system"/>'s journal.</summary>
    private void Write(ActorSystem system, string persistenceId, object[] payloads)
    {
        var probe = new Akka.TestKit.TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
        var journal = Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null);
        var events = payloads.Select((payload, i) => (IPersistentRepresentation)new Persistent(payload, i + 1, persistenceId)).ToImmutableList();
        journal.Tell(new WriteMessages([new AtomicWrite(events)], probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(TimeSpan.FromSeconds(30));
        foreach (var _ in payloads)
            probe.ExpectMsg<WriteMessageSuccess>();
    }

    private static List<string> Rows(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM journal ORDER BY persistence_id, sequence_number";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i)
                ? "null"
                : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : $"{reader.GetValue(i)}:{reader.GetFieldType(i).Name}")));
        return rows;
    }

    private static List<long> Created(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT created FROM journal";
        using var reader = command.ExecuteReader();
        var created = new List<long>();
        while (reader.Read())
            created.Add(reader.GetInt64(0));
        return created;
    }
}
