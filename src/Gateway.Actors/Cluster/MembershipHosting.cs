using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace Gateway.Actors.Cluster;

/// <summary>Where this node listens for other nodes, whom it joins, and as what.</summary>
/// <param name="Hostname">The address other nodes reach it at; remoting binds to it.</param>
/// <param name="SeedNodes"><c>akka.tcp://gateway@host:port</c> of the nodes to join (the first seed lists itself).</param>
public sealed record MembershipSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes, IReadOnlyList<string> Roles);

/// <summary>
/// Akka.Hosting registration of the cluster: remoting, membership with the split brain resolver
/// keeping the majority (a node on the minority side is downed and stops, its HAProxy serving on),
/// and the publish-subscribe mediator of the change feed.
/// </summary>
public static class MembershipHosting
{
    public static AkkaConfigurationBuilder AddMembership(this AkkaConfigurationBuilder builder, MembershipSettings settings) =>
        builder
            .WithRemoting(settings.Hostname, settings.Port)
            .WithClustering(new ClusterOptions
            {
                SeedNodes = [.. settings.SeedNodes],
                Roles = [.. settings.Roles],
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithDistributedPubSub(role: ""); // every node, whatever its roles
}
