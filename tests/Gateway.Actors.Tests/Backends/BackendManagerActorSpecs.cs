using Akka.Actor;
using Akka.TestKit;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Routes;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Backends;

/// <summary>
/// The backend manager (the writers of a node alone) on a real SQLite journal: it routes by name to a
/// child per backend as the cluster's shard region would, reads nothing at start, and loses nothing
/// while it passivates a backend that recovered as deleted.
/// </summary>
public class BackendManagerActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    private IActorRef StartManager(TestProbe desired, string name = "backends") =>
        Sys.ActorOf(BackendManagerActor.Props(desired), name);

    private IActorRef? Child(IActorRef manager, string name)
    {
        Sys.ActorSelection(manager.Path / name).Tell(new Identify(name), TestActor);
        return ExpectMsg<ActorIdentity>().Subject;
    }

    [Fact]
    public void Changes_to_many_backends_at_once_should_share_journal_transactions()
    {
        const int count = 300;
        var desired = CreateTestProbe();
        var manager = StartManager(desired);
        // each backend's writer reads its journal once, at its first change
        for (var i = 0; i < count; i++)
            manager.Tell(new UpsertBackend(Backend($"b{i}"), Admin));
        for (var i = 0; i < count; i++)
            ExpectMsg<BackendAccepted>(a => a.Changed);
        var before = WriteCounts();

        // the database is held while every writer persists its next change: every write waits
        using (HeldWriteLock())
        {
            for (var i = 0; i < count; i++)
                manager.Tell(new UpsertBackend(Backend($"b{i}", Server("s1", "10.0.9.1")), Admin));
            AwaitCondition(() => WriteCounts().Taken - before.Taken == count, TimeSpan.FromSeconds(8));
        }
        for (var i = 0; i < count; i++)
            ExpectMsg<BackendAccepted>(a => a.Changed);

        // a transaction per event would be 300: the journal's writer commits what waited in one
        var after = WriteCounts();
        Assert.Equal(count, after.Writes - before.Writes);
        Assert.InRange(after.Transactions - before.Transactions, 1, 2); // the one that waited for the lock, and the rest
    }

    [Fact]
    public void BackendManager_should_route_by_name_and_create_a_child_per_backend_on_demand()
    {
        var desired = CreateTestProbe();
        var manager = StartManager(desired);

        manager.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg(new BackendAccepted("api", 1, true));
        manager.Tell(new UpsertBackend(Backend("web"), Admin));
        ExpectMsg(new BackendAccepted("web", 1, true));
        manager.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.0.2")), Admin));
        ExpectMsg(new BackendAccepted("api", 2, true));

        Assert.NotNull(Child(manager, "api"));
        Assert.NotNull(Child(manager, "web"));
        Assert.Equal(2, JournalRows("backend-api").Count);
        Assert.Single(JournalRows("backend-web"));
    }

    [Fact]
    public void BackendManager_should_read_nothing_at_start_and_wake_a_backend_from_its_journal_on_its_first_command()
    {
        History("api", new UpsertBackend(Backend("api"), Admin), new UpsertBackend(Backend("api", Server("s1", "10.0.0.5")), Admin));
        var desired = CreateTestProbe();

        var manager = StartManager(desired);

        desired.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Null(Child(manager, "api"));
        manager.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.0.6")), Admin));
        ExpectMsg(new BackendAccepted("api", 3, Changed: true)); // it read its journal: version 3, not 1
        Assert.Equal(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.5")), Admin), desired.ExpectMsg<BackendStateChanged>());
        Assert.Equal(3, desired.ExpectMsg<BackendStateChanged>().Version);
    }

    [Fact]
    public void BackendManager_should_passivate_a_backend_that_recovered_as_deleted()
    {
        History("old", new UpsertBackend(Backend("old"), Admin), new RemoveBackend("old", Admin));
        var desired = CreateTestProbe();
        var manager = StartManager(desired);

        manager.Tell(new RemoveBackend("old", Admin));

        ExpectMsg(new BackendNotFound("old"));
        Assert.Equal(new BackendStateChanged("old", 2, null, Admin), desired.ExpectMsg<BackendStateChanged>());

        AwaitAssert(() => Assert.Null(Child(manager, "old")), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void BackendManager_should_deliver_an_upsert_sent_at_start_to_a_backend_whose_journal_ends_deleted()
    {
        History("api", new UpsertBackend(Backend("api"), Admin), new RemoveBackend("api", Admin));
        var desired = CreateTestProbe();
        var manager = StartManager(desired);

        manager.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.0.3")), Admin));

        ExpectMsg(new BackendAccepted("api", 3, Changed: true));
        desired.FishForMessage(m => m is BackendStateChanged { Version: 3 } c && c.Backend == Backend("api", Server("s1", "10.0.0.3")),
            TimeSpan.FromSeconds(3));
        Assert.Equal(3, JournalRows("backend-api").Count);
    }

    [Fact]
    public void BackendManager_should_deliver_an_upsert_that_arrives_while_the_deleted_backend_is_being_passivated()
    {
        History("api", new UpsertBackend(Backend("api"), Admin), new RemoveBackend("api", Admin));
        var desired = CreateTestProbe();
        var manager = StartManager(desired);
        manager.Tell(new RemoveBackend("api", Admin));
        ExpectMsg(new BackendNotFound("api"));
        // the child reports its deleted state and, in the same step, asks the manager to passivate it
        desired.ExpectMsg(new BackendStateChanged("api", 2, null, Admin));

        manager.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.0.4")), Admin));
        manager.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.0.5")), Admin));

        ExpectMsg(new BackendAccepted("api", 3, Changed: true));
        ExpectMsg(new BackendAccepted("api", 4, Changed: true));
        desired.FishForMessage(m => m is BackendStateChanged { Version: 4 } c && c.Backend!.Servers[0].IP == "10.0.0.5",
            TimeSpan.FromSeconds(3));
        AwaitAssert(() => Assert.NotNull(Child(manager, "api")), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void BackendManager_should_answer_every_change_while_writes_fail_and_store_the_next_one_after()
    {
        StartUndeliveredCommands(); // as on a node: changes already in a failing writer's mailbox are answered too
        var desired = CreateTestProbe();
        var manager = StartManager(desired);
        manager.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg(new BackendAccepted("api", 1, Changed: true));

        using (UnwritableJournal())
        {
            // in a row: the first fails and stops the backend; the rest are in its mailbox, held for its next incarnation, or meet it again
            for (var i = 0; i < 5; i++)
                manager.Tell(new UpsertBackend(Backend("api", Server("s1", $"10.0.1.{i}")), Admin));
            for (var i = 0; i < 5; i++)
                Assert.Contains("journal", ExpectMsg<NotStored>().Reason);
        }

        manager.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.2.1")), Admin));
        ExpectMsg(new BackendAccepted("api", 2, Changed: true));
    }

    [Fact]
    public void BackendManager_should_warn_once_not_once_per_backend_when_the_writes_of_many_fail_together()
    {
        const int count = 20;
        StartUndeliveredCommands();
        var manager = StartManager(CreateTestProbe());
        for (var i = 0; i < count; i++)
            manager.Tell(new UpsertBackend(Backend($"b{i}"), Admin));
        for (var i = 0; i < count; i++)
            ExpectMsg<BackendAccepted>(a => a.Changed);
        var lines = CreateTestProbe();
        Sys.EventStream.Subscribe(lines.Ref, typeof(Akka.Event.Warning));
        Sys.EventStream.Subscribe(lines.Ref, typeof(Akka.Event.Debug));

        using (UnwritableJournal())
        {
            for (var i = 0; i < count; i++)
                manager.Tell(new UpsertBackend(Backend($"b{i}", Server("s1", "10.0.3.1")), Admin));
            for (var i = 0; i < count; i++)
                Assert.Contains("journal", ExpectMsg<NotStored>().Reason);
        }

        // every backend's failure is still logged, at debug but for the first (one per 10 s for the node)
        var failures = lines.ReceiveWhile(TimeSpan.FromSeconds(1), m => (Akka.Event.LogEvent)m)
            .Where(e => e.Message.ToString()!.StartsWith("Could not store event", StringComparison.Ordinal))
            .ToList();
        Assert.Single(failures, e => e is Akka.Event.Warning);
        Assert.Equal(count, failures.Count);
    }
}
