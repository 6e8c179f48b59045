using Akka.Actor;
using Akka.Cluster.Sharding;
using Gateway.Actors.Cluster;
using Gateway.Actors.Persistence;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Gateway.Shared.Sharding;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Cluster;

/// <summary>
/// The backends' writers as a cluster runs them: a real shard region on a cluster of one, its
/// entities made by <see cref="WritersHosting.ShardedBackendProps"/>, on a real SQLite journal. A
/// change that meets a journal failure is answered "not stored", never left to dead letters; the
/// first change after the journal is back is stored; a backend that does not exist is passivated
/// without losing a change that arrives meanwhile.
/// </summary>
public sealed class ShardedBackendWritersSpecs(ITestOutputHelper output) : SqliteJournalSpec(output, ClusterOfOne())
{
    private const string Admin = "admin-api";

    private static string ClusterOfOne() => $$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{FreePort.Next()}} }
        akka.cluster.sharding.state-store-mode = ddata
        """;

    /// <summary>Joins the cluster of one and starts the backends' shard region as a node does.</summary>
    private IActorRef StartRegion()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(30));
        var changes = CreateTestProbe();
        var sharding = ClusterSharding.Get(Sys);
        var settings = ClusterShardingSettings.Create(Sys).WithRememberEntities(false).WithStateStoreMode(StateStoreMode.DData);
        return sharding.Start(BackendShards.TypeName, name => WritersHosting.ShardedBackendProps(name, changes), settings, BackendShards.Instance,
            sharding.DefaultShardAllocationStrategy(settings), WritersHosting.MovingWriterStop);
    }

    private IReadOnlyList<string> Entities(IActorRef region)
    {
        region.Tell(GetShardRegionState.Instance);
        return ExpectMsg<CurrentShardRegionState>().Shards.SelectMany(s => s.EntityIds).ToList();
    }

    [Fact]
    public void Sharded_writer_should_answer_every_change_not_stored_while_the_journal_fails_and_store_the_first_after()
    {
        StartUndeliveredCommands(); // as on a node: changes already in a failing writer's mailbox are answered too
        var region = StartRegion();
        region.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg(new BackendAccepted("api", 1, Changed: true));

        using (UnwritableJournal())
        {
            // sent at once: all but the first wait in the writer's mailbox when its write fails and it stops
            for (var i = 0; i < 5; i++)
                region.Tell(new UpsertBackend(Backend("api", Server("s1", $"10.0.1.{i}")), Admin));
            for (var i = 0; i < 5; i++)
                Assert.Contains("journal", ExpectMsg<NotStored>().Reason);
        }

        region.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.2.1")), Admin));
        ExpectMsg(new BackendAccepted("api", 2, Changed: true));
    }

    /// <remarks>
    /// What comes after is left to the PostgreSQL specs: SQLite made unreadable this way stays so for a
    /// while after the files are writable again (measured: about a minute, each read failing after 5 s).
    /// </remarks>
    [Fact]
    public void Sharded_writer_should_itself_answer_changes_that_wait_for_a_journal_it_cannot_read()
    {
        // no UndeliveredCommandsActor: what a writer that failed to recover stashed would reach only dead letters
        var region = StartRegion();
        region.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg(new BackendAccepted("api", 1, Changed: true));

        using (UnwritableJournal()) // SQLite in WAL mode cannot read either: a read needs to write its shared-memory file
        {
            for (var i = 0; i < 3; i++)
            {
                region.Tell(new UpsertBackend(Backend("api", Server("s1", $"10.0.1.{i}")), Admin));
                var answer = ExpectMsg<NotStored>(WriterGateActor.HoldTimeout + TimeSpan.FromSeconds(10));
                Assert.Contains("journal", answer.Reason);
            }
        }
    }

    [Fact]
    public void Sharded_writer_should_answer_its_write_in_flight_when_its_shard_hands_off()
    {
        var region = StartRegion();
        region.Tell(new UpsertBackend(Backend("api"), Admin));
        ExpectMsg(new BackendAccepted("api", 1, Changed: true));
        // its writer recovered a backend that did not exist, asked to passivate, and stops now that it does:
        // wait for that, so the write below meets a writer that is ready, not one that reads its journal
        AwaitAssert(() => Assert.DoesNotContain("api", Entities(region)), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        region.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.5.1")), Admin));
        ExpectMsg(new BackendAccepted("api", 2, Changed: true));
        Watch(region);

        using (HeldWriteLock())
        {
            region.Tell(new UpsertBackend(Backend("api", Server("s1", "10.0.5.2")), Admin)); // its write waits for the lock
            region.Tell(GracefulShutdown.Instance); // hands off every shard, as a node leaving does
            ExpectNoMsg(TimeSpan.FromSeconds(1)); // the shard waits for its writer's write (a PoisonPill stopped it: the region stopped here)
        }

        ExpectMsg(new BackendAccepted("api", 3, Changed: true));
        ExpectTerminated(region);
    }

    [Fact]
    public void Sharded_writer_should_passivate_a_backend_that_does_not_exist()
    {
        var region = StartRegion();

        region.Tell(new RemoveBackend("ghost", Admin));
        ExpectMsg(new BackendNotFound("ghost"));

        AwaitAssert(() => Assert.DoesNotContain("ghost", Entities(region)), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Sharded_writer_should_lose_no_change_that_arrives_while_it_passivates()
    {
        var region = StartRegion();

        // the first wakes a writer that recovers as deleted and asks to stop; the others arrive meanwhile
        region.Tell(new RemoveBackend("late", Admin));
        for (var i = 1; i <= 20; i++)
            region.Tell(new UpsertBackend(Backend("late", Server("s1", $"10.0.3.{i}")), Admin));

        ExpectMsg(new BackendNotFound("late"));
        for (var i = 1; i <= 20; i++)
            ExpectMsg(new BackendAccepted("late", i, Changed: true));
        region.Tell(new UpsertBackend(Backend("late", Server("s1", "10.0.4.1")), Admin));
        ExpectMsg(new BackendAccepted("late", 21, Changed: true));
        Assert.Contains("late", Entities(region));
    }
}
