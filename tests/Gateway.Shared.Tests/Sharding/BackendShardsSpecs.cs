using Akka.Cluster.Sharding;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Sharding;

namespace Gateway.Shared.Tests.Sharding;

/// <summary>
/// The one routing of backend commands: by name, to a shard that every process computes alike, and
/// only commands — events, notices and queries never wake a writer.
/// </summary>
public class BackendShardsSpecs
{
    private static readonly IMessageExtractor Shards = BackendShards.Instance;

    [Fact]
    public void A_backend_command_should_go_to_the_writer_named_by_its_backend()
    {
        Assert.Equal("api", Shards.EntityId(new UpsertBackend(new Backend { Name = "api" }, "admin-api")));
        Assert.Equal("api", Shards.EntityId(new RemoveBackend("api", "admin-api")));
    }

    [Fact]
    public void Events_notices_and_queries_should_name_no_writer()
    {
        Assert.Null(Shards.EntityId(new BackendStateChanged("api", 1, null)));
        Assert.Null(Shards.EntityId(new GetBackend("api")));
        Assert.Null(Shards.EntityId(new BackendCreated(new Backend { Name = "api" }, "admin-api")));
        Assert.Null(Shards.EntityId(new AwaitApplied("api", 1, TimeSpan.FromSeconds(1))));
    }

    /// <summary>
    /// Every node must put a backend in the same shard, run after run: a hash that changed from one
    /// process to the next (like <see cref="string.GetHashCode()"/>) would give a backend two writers.
    /// </summary>
    [Fact]
    public void A_backend_should_map_to_the_same_shard_in_every_process()
    {
        Assert.Equal(["38", "94", "78"], new[] { "api", "web", "backend-with-a-long-name" }.Select(name => Shards.ShardId(name)));
        Assert.All(Enumerable.Range(0, 1000), i => Assert.InRange(int.Parse(Shards.ShardId($"b{i}")), 0, BackendShards.ShardCount - 1));
    }
}
