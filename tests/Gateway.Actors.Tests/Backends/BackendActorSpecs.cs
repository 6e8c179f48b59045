using Akka.Actor;
using Akka.Streams;
using Akka.TestKit;
using Gateway.Actors.Backends;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Backends;

/// <summary>
/// One backend's single writer on a real SQLite journal: it refuses bad input and keeps going,
/// stores nothing for an unchanged upsert, reports every new version to the desired-state view,
/// and comes back from the journal (and from its snapshots) at the version it had.
/// </summary>
public class BackendActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    private (IActorRef Actor, TestProbe Desired) Start(string name = "api", TestProbe? desired = null)
    {
        desired ??= CreateTestProbe();
        var actor = Sys.ActorOf(BackendActor.Props(name, desired), $"{name}-{Guid.NewGuid():N}");
        // recovery completes with a report of what it recovered (version 0, nothing, for a new backend)
        desired.ExpectMsg<BackendStateChanged>(c => c.BackendName == name);
        return (actor, desired);
    }

    [Fact]
    public void BackendActor_should_reject_naming_the_port_and_keep_running_when_the_port_is_invalid()
    {
        var (actor, _) = Start();

        actor.Tell(new UpsertBackend(Backend("api", Server(port: 0)), Admin));
        var rejected = ExpectMsg<BackendRejected>();
        actor.Tell(new UpsertBackend(Backend("api"), Admin));

        Assert.Contains(rejected.Errors, e => e.Field == "servers[0].port");
        Assert.Equal(new BackendAccepted("api", 1, Changed: true), ExpectMsg<BackendAccepted>());
    }

    [Fact]
    public void BackendActor_should_reject_naming_the_server_name_when_it_holds_a_newline()
    {
        var (actor, desired) = Start();

        actor.Tell(new UpsertBackend(Backend("api", Server("s1\nlisten evil")), Admin));

        var rejected = ExpectMsg<BackendRejected>();
        Assert.Equal("servers[0].name", Assert.Single(rejected.Errors).Field);
        Assert.Empty(JournalRows("backend-api"));
        AssertNothingPublished(actor, desired);
    }

    [Fact]
    public void BackendActor_should_refuse_a_body_that_names_another_backend()
    {
        var (actor, _) = Start();

        actor.Tell(new UpsertBackend(Backend("web"), Admin));

        var rejected = ExpectMsg<BackendRejected>();
        Assert.Equal("api", rejected.BackendName);
        Assert.Equal("name", Assert.Single(rejected.Errors).Field);
    }

    [Fact]
    public void BackendActor_should_reply_unchanged_at_the_same_version_and_persist_nothing_when_the_upsert_equals_its_state()
    {
        var (actor, desired) = Start();
        actor.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg<BackendAccepted>();
        desired.ExpectMsg<BackendStateChanged>();
        var rowsBefore = JournalRows("backend-api");

        actor.Tell(new UpsertBackend(Backend("api"), "provider:rest"));

        Assert.Equal(new BackendAccepted("api", 1, Changed: false), ExpectMsg<BackendAccepted>());
        Assert.Equal(rowsBefore.Select(r => r.SequenceNr), JournalRows("backend-api").Select(r => r.SequenceNr));
        AssertNothingPublished(actor, desired);
    }

    [Fact]
    public void BackendActor_should_publish_name_version_backend_and_source_to_the_desired_state_when_it_changes()
    {
        var (actor, desired) = Start();
        var changed = Backend("api", Server("s1", "10.0.0.7"));

        actor.Tell(new UpsertBackend(Backend("api"), Admin));
        actor.Tell(new UpsertBackend(changed, "provider:rest"));

        Assert.Equal(new BackendStateChanged("api", 1, Backend("api"), Admin), desired.ExpectMsg<BackendStateChanged>());
        Assert.Equal(new BackendStateChanged("api", 2, changed, "provider:rest"), desired.ExpectMsg<BackendStateChanged>());
        Assert.Equal(new BackendAccepted("api", 1, true), ExpectMsg<BackendAccepted>());
        Assert.Equal(new BackendAccepted("api", 2, true), ExpectMsg<BackendAccepted>());
    }

    [Fact]
    public void BackendActor_should_answer_not_found_when_removing_a_backend_that_does_not_exist()
    {
        var (actor, _) = Start();

        actor.Tell(new RemoveBackend("api", Admin));

        Assert.Equal(new BackendNotFound("api"), ExpectMsg<BackendNotFound>());
        Assert.Empty(JournalRows("backend-api"));
    }

    [Fact]
    public void BackendActor_should_reply_removed_and_publish_no_backend_when_removing_an_existing_one()
    {
        var (actor, desired) = Start();
        actor.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg<BackendAccepted>();
        desired.ExpectMsg<BackendStateChanged>();

        actor.Tell(new RemoveBackend("api", "provider:file"));

        Assert.Equal(new BackendRemoved("api", 2), ExpectMsg<BackendRemoved>());
        Assert.Equal(new BackendStateChanged("api", 2, null, "provider:file"), desired.ExpectMsg<BackendStateChanged>());
    }

    [Fact]
    public void BackendActor_should_publish_its_recovered_state_and_version_when_started_again_on_the_same_journal()
    {
        var (actor, _) = Start();
        var latest = Backend("api", Server("s1", "10.0.0.2"), Server("s2", "10.0.0.3"));
        actor.Tell(new UpsertBackend(Backend("api"), Admin));
        actor.Tell(new UpsertBackend(latest, "provider:rest"));
        ExpectMsg<BackendAccepted>();
        ExpectMsg<BackendAccepted>();
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);

        var again = CreateTestProbe();
        Sys.ActorOf(BackendActor.Props("api", again));

        Assert.Equal(new BackendStateChanged("api", 2, latest, "provider:rest"), again.ExpectMsg<BackendStateChanged>());
    }

    [Fact]
    public void BackendActor_should_store_events_as_gateway_json_under_their_manifest_and_tagged()
    {
        var (actor, _) = Start();

        actor.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg<BackendAccepted>();
        actor.Tell(new RemoveBackend("api", Admin));
        ExpectMsg<BackendRemoved>();

        var rows = JournalRows("backend-api");
        Assert.Equal(["backend-created.v1", "backend-deleted.v1"], rows.Select(r => r.Manifest));
        Assert.All(rows, r => Assert.Equal(Gateway.Shared.Serialization.GatewaySerializer.Id, r.SerializerId));
        Assert.StartsWith("{", rows[0].Text);
        Assert.Contains("\"source\":\"admin-api\"", rows[0].Text);
        Assert.All(rows, r => Assert.DoesNotContain("Gateway.Shared", r.Text));
        Assert.All(rows, r => Assert.DoesNotContain("$type", r.Text));
    }

    [Fact]
    public async Task BackendActor_should_tag_every_event_so_the_whole_history_reads_in_order_with_one_query()
    {
        var (api, _) = Start("api");
        var (web, _) = Start("web");
        api.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg<BackendAccepted>();
        web.Tell(new UpsertBackend(Backend("web"), Admin));
        ExpectMsg<BackendAccepted>();
        api.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.0.2")), Admin));
        ExpectMsg<BackendAccepted>();
        web.Tell(new RemoveBackend("web", Admin));
        ExpectMsg<BackendRemoved>();

        var journal = Akka.Persistence.Query.PersistenceQuery.Get(Sys)
            .ReadJournalFor<Akka.Persistence.Query.ICurrentEventsByTagQuery>(ReadJournalId);
        var history = await journal.CurrentEventsByTag("gateway", Akka.Persistence.Query.Offset.NoOffset())
            .RunWith(Akka.Streams.Dsl.Sink.Seq<Akka.Persistence.Query.EventEnvelope>(), Sys.Materializer());

        Assert.Equal(
            ["backend-api:1:BackendCreated", "backend-web:1:BackendCreated", "backend-api:2:BackendChanged", "backend-web:2:BackendDeleted"],
            history.Select(e => $"{e.PersistenceId}:{e.SequenceNr}:{e.Event.GetType().Name}"));
        Assert.Equal(history.Select(e => ((Akka.Persistence.Query.Sequence)e.Offset).Value).Order(), history.Select(e => ((Akka.Persistence.Query.Sequence)e.Offset).Value));
    }

    [Fact]
    public void BackendActor_should_snapshot_every_SnapshotEvery_events_and_recover_from_snapshot_and_events()
    {
        var (actor, _) = Start();
        var count = BackendActor.SnapshotEvery + 1;
        for (var i = 1; i <= count; i++)
            actor.Tell(new UpsertBackend(Backend("api", Server("s1", port: 1000 + i)), Admin));
        for (var i = 1; i <= count; i++)
            ExpectMsg<BackendAccepted>(a => a.Version == i && a.Changed);

        AwaitAssert(() => Assert.Equal([(BackendActor.SnapshotEvery, "backend-snapshot.v1")], SnapshotRows("backend-api")),
            TimeSpan.FromSeconds(5));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        // the snapshot stands for the first 100 events: without them, recovery must still reach 101
        DeleteJournalRowsUpTo("backend-api", BackendActor.SnapshotEvery);
        var again = CreateTestProbe();
        var restarted = Sys.ActorOf(BackendActor.Props("api", again));

        var recovered = again.ExpectMsg<BackendStateChanged>();
        Assert.Equal(count, recovered.Version);
        Assert.Equal(1000 + count, Assert.Single(recovered.Backend!.Servers).Port);
        restarted.Tell(new UpsertBackend(Backend("api", Server("s1", port: 1000 + count)), Admin));
        Assert.Equal(new BackendAccepted("api", count, Changed: false), ExpectMsg<BackendAccepted>());
    }

    /// <summary>
    /// Asserts nothing was published: a refused command sent after the last input is answered only
    /// once the actor is done with that input, so anything it published is queued by then.
    /// </summary>
    private void AssertNothingPublished(IActorRef actor, TestProbe desired)
    {
        var probe = CreateTestProbe();
        actor.Tell(new UpsertBackend(Backend("api", Server(port: -1)), Admin), probe);
        probe.ExpectMsg<BackendRejected>();
        desired.ExpectNoMsg(TimeSpan.Zero);
    }

    private void DeleteJournalRowsUpTo(string persistenceId, long sequenceNr)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM journal WHERE persistence_id = $id AND sequence_number <= $nr";
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$nr", sequenceNr);
        Assert.Equal((int)sequenceNr, command.ExecuteNonQuery());
    }
}
