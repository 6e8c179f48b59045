using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Akka.Hosting;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Cluster;

/// <summary>A member as this node sees it.</summary>
public sealed record MemberView(string Address, string Status, IReadOnlyList<string> Roles);

/// <summary>This node's view of the cluster: its members, the leader, who is unreachable, and every node's summary.</summary>
public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<MemberView> Members, IReadOnlyList<string> Unreachable, IReadOnlyList<NodeSummary> Nodes);

/// <summary>Asks the <see cref="ConvergenceActor"/> for the <see cref="ClusterView"/>.</summary>
public sealed class GetClusterView
{
    public static readonly GetClusterView Instance = new();
}

/// <summary>
/// Shares this node's sync summary with the cluster and gathers everyone's, so that one
/// <c>/api/status</c> call tells whether the fleet has converged. Each node writes its own entry of
/// a replicated dictionary (Distributed Data, written locally and gossiped: a few hundred bytes per
/// node, never the backends themselves) when its summary changes, checked every second.
/// </summary>
public sealed class ConvergenceActor : ReceiveActor, IWithTimers
{
    private static readonly LWWDictionaryKey<string, NodeSummary> Key = new("gateway-nodes");
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private sealed class Check
    {
        public static readonly Check Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly IActorRef _sync;
    private readonly string _self;
    private IReadOnlyDictionary<string, NodeSummary> _nodes = new Dictionary<string, NodeSummary>();
    private SyncSummary? _mine;

    /// <param name="sync">This node's HAProxy sync, asked for its <see cref="SyncSummary"/>.</param>
    public ConvergenceActor(IActorRef sync)
    {
        _sync = sync;
        _self = _cluster.SelfAddress.ToString();
        Receive<Check>(_ => _sync.Tell(GetSyncSummary.Instance));
        Receive<SyncSummary>(summary =>
        {
            if (summary == _mine)
                return;
            _mine = summary;
            var entry = new NodeSummary(_self, summary, DateTime.UtcNow);
            _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, NodeSummary>.Empty, WriteLocal.Instance,
                nodes => nodes.SetItem(_cluster, _self, entry)));
        });
        Receive<Changed>(changed => changed.Key.Equals(Key), changed => _nodes = changed.Get(Key).Entries);
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(failure => _log.Warning("Could not share this node's sync summary: {Failure}", failure));
        Receive<GetClusterView>(_ => Sender.Tell(View()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef sync) => Akka.Actor.Props.Create(() => new ConvergenceActor(sync));

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(Key, Self));
        Timers.StartPeriodicTimer(nameof(Check), Check.Instance, TimeSpan.Zero, CheckEvery);
    }

    /// <summary>The members and the summaries of those that are members now (a node that left keeps no entry in the answer).</summary>
    private ClusterView View()
    {
        var state = _cluster.State;
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberView(m.Address.ToString(), m.Status.ToString(), m.Roles.Order(StringComparer.Ordinal).ToList()))
            .ToList();
        var nodes = members.Select(m => m.Address == _self && _mine is not null
                ? new NodeSummary(_self, _mine, DateTime.UtcNow) // this node's own is always current
                : _nodes.GetValueOrDefault(m.Address))
            .OfType<NodeSummary>()
            .ToList();
        return new ClusterView(_self, state.Leader?.ToString(), members,
            state.Unreachable.Select(m => m.Address.ToString()).Order(StringComparer.Ordinal).ToList(), nodes);
    }
}

/// <summary>Akka.Hosting registration of <see cref="ConvergenceActor"/> (after the HAProxy sync).</summary>
public static class ConvergenceActorHosting
{
    public static AkkaConfigurationBuilder AddConvergence(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) => registry.Register<ConvergenceActor>(
            system.ActorOf(ConvergenceActor.Props(registry.Get<Sync.HaproxySyncActor>()), "convergence")));
}
