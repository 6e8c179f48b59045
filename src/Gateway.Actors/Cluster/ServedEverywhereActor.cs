using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Cluster;

/// <summary>
/// Asks the <see cref="ServedEverywhereActor"/> to answer, with a <see cref="ServedReport"/>, once
/// every reachable node's HAProxy serves a stored change, or its <see cref="Timeout"/> passed.
/// </summary>
public sealed record AwaitServed
{
    private AwaitServed(object request, TimeSpan timeout) => (Request, Timeout) = (request, timeout);

    /// <summary>What each node's sync is asked: <see cref="AwaitApplied"/> or <see cref="AwaitRoutesApplied"/>.</summary>
    public object Request { get; }

    public TimeSpan Timeout { get; }

    public static AwaitServed Backend(string name, long version, TimeSpan timeout) => new(new AwaitApplied(name, version, timeout), timeout);

    public static AwaitServed Routes(long version, TimeSpan timeout) => new(new AwaitRoutesApplied(version, timeout), timeout);
}

/// <summary>Whether one node serves the change, and why not.</summary>
public sealed record NodeServed(string Node, bool Served, string? Reason);

/// <summary>
/// How every node asked answered; <see cref="Unreachable"/> are the members that were not asked
/// (the cluster's failure detector says they cannot be reached). <see cref="Clustered"/> is false
/// on a node alone, whose one answer is its own.
/// </summary>
public sealed record ServedReport(IReadOnlyList<NodeServed> Nodes, IReadOnlyList<string> Unreachable, bool Clustered)
{
    public bool Served => Nodes.All(n => n.Served);
}

/// <summary>The syncs to ask, by node address, and the members left out because they are unreachable.</summary>
public sealed record ServedTargets(IReadOnlyList<(string Node, ICanTell Sync)> Syncs, IReadOnlyList<string> Unreachable, bool Clustered);

/// <summary>
/// <c>?wait=true</c> for the whole fleet: asks the HAProxy sync of every reachable member (this
/// node's own directly, the others' at <c>/user/haproxy-sync</c> on their address) to answer once it
/// serves the change, and gathers the answers. A node that does not answer within the change's
/// timeout (and a margin for the network) is named as such. Each wait runs on its own; this actor
/// only starts them, so many waits never queue behind one another.
/// </summary>
public sealed class ServedEverywhereActor : ReceiveActor
{
    /// <summary>What a remote answer may take beyond the wait itself.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    /// <param name="targets">Who to ask, read afresh for each wait (a spec gives probes).</param>
    public ServedEverywhereActor(Func<ServedTargets> targets) =>
        Receive<AwaitServed>(wait => GatherAsync(targets(), wait).PipeTo(Sender));

    /// <summary>On a node alone, its own sync; in a cluster, every member's that is up and reachable.</summary>
    public ServedEverywhereActor(IActorRef localSync, bool clustered)
    {
        var cluster = clustered ? Akka.Cluster.Cluster.Get(Context.System) : null;
        var alone = new ServedTargets([("this node", localSync)], [], false);
        Receive<AwaitServed>(wait => GatherAsync(cluster is null ? alone : ClusterTargets(cluster, localSync), wait).PipeTo(Sender));
    }

    public static Props Props(IActorRef localSync, bool clustered) =>
        Akka.Actor.Props.Create(() => new ServedEverywhereActor(localSync, clustered));

    private static async Task<ServedReport> GatherAsync(ServedTargets targets, AwaitServed wait)
    {
        var answers = await Task.WhenAll(targets.Syncs.Select(target => AskAsync(target.Node, target.Sync, wait)));
        return new ServedReport(answers, targets.Unreachable, targets.Clustered);
    }

    private static async Task<NodeServed> AskAsync(string node, ICanTell sync, AwaitServed wait)
    {
        try
        {
            return await sync.Ask<object>(wait.Request, wait.Timeout + Margin) switch
            {
                AppliedOk => new NodeServed(node, true, null),
                ApplyFailed failed => new NodeServed(node, false, failed.Reason),
                var other => new NodeServed(node, false, $"unexpected answer {other.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return new NodeServed(node, false, $"did not answer within {(wait.Timeout + Margin).TotalSeconds:0} s");
        }
    }

    /// <summary>The members that serve (up, or leaving while they hand off), each by its sync's address.</summary>
    private static ServedTargets ClusterTargets(Akka.Cluster.Cluster cluster, IActorRef localSync)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var syncs = new List<(string, ICanTell)>();
        foreach (var member in state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving))
        {
            if (unreachable.Contains(member.Address))
                continue;
            ICanTell sync = member.Address == cluster.SelfAddress
                ? localSync
                : cluster.System.ActorSelection(new RootActorPath(member.Address) / "user" / HaproxySyncActorHosting.Name);
            syncs.Add((member.Address.ToString(), sync));
        }
        return new ServedTargets(syncs, unreachable.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList(), true);
    }
}

/// <summary>Akka.Hosting registration of <see cref="ServedEverywhereActor"/> (after the HAProxy sync).</summary>
public static class ServedEverywhereActorHosting
{
    public static AkkaConfigurationBuilder AddServedEverywhere(this AkkaConfigurationBuilder builder, bool clustered) =>
        builder.WithActors((system, registry) => registry.Register<ServedEverywhereActor>(
            system.ActorOf(ServedEverywhereActor.Props(registry.Get<HaproxySyncActor>(), clustered), "served-everywhere")));
}
