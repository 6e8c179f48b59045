using Akka.Actor;
using Gateway.Actors.Backends;
using Gateway.Actors.Routes;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Backends;

/// <summary>
/// The backend catalog on a real SQLite journal: it folds the <c>gateway</c> tag into each
/// backend's newest state, saves it as a snapshot with the offset it read to, starts from that
/// snapshot and reads only what was written since, and does not move its offset past events
/// younger than its settle time.
/// </summary>
public class BackendCatalogActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    private IActorRef StartCatalog(TimeSpan? settle = null) =>
        Sys.ActorOf(BackendCatalogActor.Props(Journal, TimeSpan.FromHours(1), settle ?? TimeSpan.Zero), $"catalog-{Guid.NewGuid():N}");

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

    [Fact]
    public void Catalog_should_fold_the_history_into_each_backends_newest_state_and_skip_other_events()
    {
        History("api", new UpsertBackend(Backend("api"), Admin), new UpsertBackend(Backend("api", Server("s1", "10.0.0.7")), "provider:rest"));
        History("web", new UpsertBackend(Backend("web"), Admin), new RemoveBackend("web", Admin));
        Sys.ActorOf(RoutesActor.Props(CreateTestProbe())).Tell(new SetRoute(Route("", "/", "api"), Admin));
        ExpectMsg<RouteAccepted>();

        var entries = CatalogOf(StartCatalog());

        Assert.Equal(
            [
                new CatalogEntry("api", 2, Backend("api", Server("s1", "10.0.0.7")), "provider:rest"),
                new CatalogEntry("web", 2, null, Admin),
            ],
            entries);
    }

    [Fact]
    public void Catalog_should_start_from_its_snapshot_and_read_only_what_was_written_since()
    {
        History("old", new UpsertBackend(Backend("old"), Admin));
        var first = StartCatalog();
        Assert.Single(CatalogOf(first));
        first.Tell(BackendCatalogActor.Checkpoint.Instance);
        Assert.True(ExpectMsg<BackendCatalogActor.CheckpointDone>().Offset > 0);
        StopAndWait(first);

        History("new", new UpsertBackend(Backend("new"), Admin));
        // "old" is now only in the snapshot: had the catalog read the tag from the start, it would not know it
        DeleteJournalRows("backend-old");

        var entries = CatalogOf(StartCatalog());

        Assert.Equal(["new", "old"], entries.Select(e => e.Name));
        Assert.Equal(new CatalogEntry("old", 1, Backend("old"), Admin), entries[1]);
    }

    [Fact]
    public void Catalog_should_keep_its_offset_before_events_younger_than_its_settle_time()
    {
        History("api", new UpsertBackend(Backend("api"), Admin));
        var catalog = StartCatalog(settle: TimeSpan.FromHours(1));

        Assert.Single(CatalogOf(catalog)); // folded all the same
        catalog.Tell(BackendCatalogActor.Checkpoint.Instance);

        Assert.Equal(new BackendCatalogActor.CheckpointDone(0, 1), ExpectMsg<BackendCatalogActor.CheckpointDone>());
    }

    private void DeleteJournalRows(string persistenceId)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM journal WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        Assert.True(command.ExecuteNonQuery() > 0);
    }
}
