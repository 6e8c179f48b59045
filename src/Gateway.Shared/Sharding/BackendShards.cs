using Akka.Cluster.Sharding;
using Gateway.Shared.Messages;

namespace Gateway.Shared.Sharding;

/// <summary>
/// Where a backend command goes: to the writer of <see cref="IBackendCommand.BackendName"/>, in shard
/// <c>hash(name) mod <see cref="ShardCount"/></c>. The same extractor routes in a cluster (the shard
/// region of <see cref="TypeName"/>) and on a node alone (a local parent with one child per backend),
/// and other Akka services use it to reach the writers through a shard region proxy.
/// </summary>
public sealed class BackendShards() : HashCodeMessageExtractor(ShardCount)
{
    /// <summary>
    /// About ten times the largest cluster expected. Never change it on a running cluster: a backend
    /// would then map to another shard while its old shard still runs, and have two writers.
    /// </summary>
    public const int ShardCount = 100;

    /// <summary>The shard region's type name.</summary>
    public const string TypeName = "backend";

    public static readonly BackendShards Instance = new();

    /// <summary>
    /// The backend's name, or null for a message that is not a backend command (the region drops it
    /// as unhandled). A <c>ShardingEnvelope</c> is unwrapped by the region before it asks.
    /// </summary>
    public override string? EntityId(object message) => (message as IBackendCommand)?.BackendName;
}
