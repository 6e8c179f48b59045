using Akka.Actor;
using Gateway.Actors.Backends;
using Gateway.Actors.Persistence;
using Gateway.Actors.Routes;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Backends;

/// <summary>
/// The backend catalog on a real SQLite journal: it reads each backend's newest state, saves it
/// as a snapshot with the offset it read to, starts from that snapshot and reads only what was
/// written since, and does not move its offset past events younger than its settle time. Each
/// spec runs both ways the catalog reads: the newest event of each backend from the journal table
/// (a node on Gateway's journal), and the fold of the <c>gateway</c> tag (any other journal).
/// </summary>
public class BackendCatalogActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    private IActorRef StartCatalog(bool table, TimeSpan? settle = null) =>
        Sys.ActorOf(BackendCatalogActor.Props(Journal, TimeSpan.FromHours(1), settle ?? TimeSpan.Zero, table ? NewestEventsReader.For(Sys) : null),
            $"catalog-{Guid.NewGuid():N}");

    public static TheoryData<bool> Reads => [true, false];

    private IReadOnlyList<CatalogEntry> CatalogOf(IActorRef catalog)
    {
        catalog.Tell(BackendCatalogActor.GetCatalog.Instance);
        return ExpectMsg<BackendCatalogActor.Catalog>().Backends;
    }

    private void StopAndWait(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void Catalog_should_fold_the_history_into_each_backends_newest_state_and_skip_other_events(bool table)
    {
        History("api", new UpsertBackend(Backend("api"), Admin), new UpsertBackend(Backend("api", Server("s1", "10.0.0.7")), "provider:rest"));
        History("web", new UpsertBackend(Backend("web"), Admin), new RemoveBackend("web", Admin));
        Sys.ActorOf(RoutesActor.Props(CreateTestProbe())).Tell(new SetRoute(Route("", "/", "api"), Admin));
        ExpectMsg<RouteAccepted>();

        var entries = CatalogOf(StartCatalog(table));

        Assert.Equal(
            [
                new CatalogEntry("api", 2, Backend("api", Server("s1", "10.0.0.7")), "provider:rest"),
                new CatalogEntry("web", 2, null, Admin),
            ],
            entries);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void Catalog_should_start_from_its_snapshot_and_read_only_what_was_written_since(bool table)
    {
        History("old", new UpsertBackend(Backend("old"), Admin));
        var first = StartCatalog(table);
        Assert.Single(CatalogOf(first));
        first.Tell(BackendCatalogActor.Checkpoint.Instance);
        Assert.True(ExpectMsg<BackendCatalogActor.CheckpointDone>().Offset > 0);
        StopAndWait(first);

        History("new", new UpsertBackend(Backend("new"), Admin));
        // "old" is now only in the snapshot: had the catalog read the tag from the start, it would not know it
        DeleteJournalRows("backend-old");

        var entries = CatalogOf(StartCatalog(table));

        Assert.Equal(["new", "old"], entries.Select(e => e.Name));
        Assert.Equal(new CatalogEntry("old", 1, Backend("old"), Admin), entries[1]);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void Catalog_should_keep_its_offset_before_events_younger_than_its_settle_time(bool table)
    {
        History("api", new UpsertBackend(Backend("api"), Admin));
        var catalog = StartCatalog(table, settle: TimeSpan.FromHours(1));

        Assert.Single(CatalogOf(catalog)); // folded all the same
        catalog.Tell(BackendCatalogActor.Checkpoint.Instance);

        Assert.Equal(new BackendCatalogActor.CheckpointDone(0, 1), ExpectMsg<BackendCatalogActor.CheckpointDone>());
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void Catalog_should_move_its_offset_up_to_the_last_event_older_than_its_settle_time(bool table)
    {
        History("old", new UpsertBackend(Backend("old"), Admin), new UpsertBackend(Backend("old", Server("s1", "10.0.0.7")), Admin));
        History("young", new UpsertBackend(Backend("young"), Admin));
        var orderings = Execute("UPDATE journal SET created = $ticks WHERE persistence_id = 'backend-old' RETURNING ordering",
            ("$ticks", DateTime.UtcNow.AddHours(-2).Ticks));
        var catalog = StartCatalog(table, settle: TimeSpan.FromHours(1));

        Assert.Equal(["old", "young"], CatalogOf(catalog).Select(e => e.Name));
        catalog.Tell(BackendCatalogActor.Checkpoint.Instance);

        Assert.Equal(new BackendCatalogActor.CheckpointDone(orderings.Max(), 2), ExpectMsg<BackendCatalogActor.CheckpointDone>());
    }

    [Fact]
    public void Catalog_on_the_journal_table_should_read_only_each_backends_newest_event()
    {
        History("api", new UpsertBackend(Backend("api"), Admin), new UpsertBackend(Backend("api", Server("s1", "10.0.0.7")), Admin));
        // the first event can no longer be deserialized: folding the tag would fail on it
        Execute("UPDATE journal SET message = X'00' WHERE persistence_id = 'backend-api' AND sequence_number = 1 RETURNING ordering");

        var entries = CatalogOf(StartCatalog(table: true));

        Assert.Equal([new CatalogEntry("api", 2, Backend("api", Server("s1", "10.0.0.7")), Admin)], entries);
    }

    /// <summary>Runs <paramref name="sql"/> on the journal's database; the first column of each row it returns.</summary>
    private List<long> Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
            values.Add(reader.GetInt64(0));
        Assert.NotEmpty(values);
        return values;
    }

    private void DeleteJournalRows(string persistenceId) =>
        Execute("DELETE FROM journal WHERE persistence_id = $id RETURNING ordering", ("$id", persistenceId));
}
