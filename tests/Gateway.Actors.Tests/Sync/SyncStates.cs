using System.Collections.Immutable;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// Builders for the <see cref="SyncState"/> specs: states reached through the transitions
/// themselves (never set field by field), and the outcomes a healthy HAProxy would give.
/// </summary>
internal static class SyncStates
{
    public static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static readonly SyncSettings Settings = new(new GatewayConfig(), new HaproxyOptions(), Layout)
    {
        SyncPeriod = TimeSpan.FromSeconds(5),
        MinReloadInterval = TimeSpan.Zero,
        ReloadQuietPeriod = TimeSpan.Zero,
        ConfigWriteInterval = TimeSpan.FromSeconds(1),
    };

    public static readonly HaproxyRunning Running = new(StartKind.Started, 4242, "2.8.5");

    public static DesiredStateActor.Snapshot Snapshot(bool recovered, params Backend[] backends) => Snapshot(recovered, [], backends);

    public static DesiredStateActor.Snapshot Snapshot(bool recovered, IReadOnlyList<Route> routes, params Backend[] backends) =>
        new(backends.ToImmutableDictionary(b => b.Name, b => new VersionedBackend(b, 1)), RoutesVersion: 1, routes, recovered);

    public static Backend At(string name, string ip) => Backend(name, Server("s1", ip));

    public static BackendStateChanged Changed(Backend backend, long version) => new(backend.Name, version, backend);

    public static CommitResult Commit(CommitOutcome outcome, params string[] errors) =>
        new(outcome, $"hash-{outcome}", errors.Select(e => new ConfigError(null, null, e)).ToList(), TimeSpan.Zero, TimeSpan.Zero, null);

    /// <summary>A node whose HAProxy serves <paramref name="backends"/> (each at version 1), reconciled, and nothing due: idle and ready.</summary>
    public static SyncState Ready(params Backend[] backends) => Ready([], backends);

    /// <summary>Likewise with <paramref name="routes"/> (version 1), their maps replaced at runtime after the start and written.</summary>
    public static SyncState Ready(IReadOnlyList<Route> routes, params Backend[] backends)
    {
        var (starting, step) = SyncState.Initial.Take(Snapshot(recovered: true, routes, backends)).Next(T0, Settings);
        var startUp = Assert.IsType<SyncWork.StartUp>(step.Work);
        var outcome = new StartupOutcome(startUp.Desired, ImmutableDictionary<string, string>.Empty, Running, Commit(CommitOutcome.Written), null,
            RouteLookup.Of(routes));
        var (reconciling, reconcile) = starting.Started(outcome, startUp.Desired, T0).Next(T0, Settings);
        Assert.IsType<SyncWork.Reconcile>(reconcile.Work);
        var (state, next) = reconciling.Reconciled(Reconciled(), T0).Next(T0, Settings);
        while (next.Work is SyncWork.Round round)
            (state, next) = state.Completed(round, T0).Next(T0, Settings);
        Assert.Null(next.Work);
        Assert.Equal(SyncPhase.Idle, state.Phase);
        return state;
    }

    public static ReconcileOutcome Reconciled(params string[] missing) => new(0, 0, 0, [], missing, null);

    /// <summary>What a round does on a healthy HAProxy: every runtime step and map applied, or the reload done, and the config written if asked.</summary>
    public static SyncOutcome Succeeded(SyncJob job) => job.Reload
        ? new SyncOutcome(job.Target, ReplacedAll: true, [], 0, RuntimeTally.None, SyncPlanner.BuildMaps(job.Routes, job.Target.Keys), null, [],
            Commit(CommitOutcome.Reloaded), [], null)
        : new SyncOutcome(job.Plan.Runtime.ToDictionary(s => s.Backend, s => new VersionedBackend(s.Target, s.Version)), ReplacedAll: false, [],
            job.Plan.Runtime.Sum(s => s.Commands.Count), RuntimeTally.None, job.Plan.Maps, null, [], null, [],
            job.WriteConfig ? Commit(CommitOutcome.Written) : null);

    /// <summary>Takes the next step at <paramref name="now"/> and asserts it is a round.</summary>
    public static (SyncState State, SyncWork.Round Round) NextRound(this SyncState state, DateTime now)
    {
        var (next, step) = state.Next(now, Settings);
        return (next, Assert.IsType<SyncWork.Round>(step.Work));
    }

    public static SyncState Completed(this SyncState state, SyncWork.Round round, DateTime now, SyncOutcome? outcome = null) =>
        state.RoundCompleted(round.Job, round.RoutesVersion, outcome ?? Succeeded(round.Job), now);

    /// <summary>The backends a round changes at runtime, by name.</summary>
    public static IReadOnlyList<string> RuntimeBackends(this SyncWork.Round round) =>
        round.Job.Plan.Runtime.Select(s => s.Backend).Order(StringComparer.Ordinal).ToList();
}
