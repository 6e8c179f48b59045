using System.Collections.Immutable;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>What the sync is doing; each phase is one behaviour of <see cref="HaproxySyncActor"/>.</summary>
public enum SyncPhase
{
    /// <summary>HAProxy is not up on the recovered state and nothing is in flight: the state is recovering, or a failed startup waits for its retry.</summary>
    Recovering,

    /// <summary>HAProxy is brought up on the configuration on disk while the state recovers.</summary>
    EarlyStarting,

    /// <summary>HAProxy is brought up on the recovered state.</summary>
    StartingUp,

    /// <summary>HAProxy serves and nothing is in flight: a change goes out at once.</summary>
    Idle,

    /// <summary>A sync round is in flight: changes pile up for the next round.</summary>
    Applying,

    /// <summary>A reconcile with what HAProxy really serves is in flight: changes pile up likewise.</summary>
    Reconciling,

    /// <summary>Flushed for the node's stop: no work starts any more.</summary>
    Stopped,
}

/// <summary>How far a flush (the node stopping) has got; it allows one config write.</summary>
public enum FlushProgress { NotAsked, Asked, WriteTried }

/// <summary>A backend version HAProxy refused, and why.</summary>
public readonly record struct Refusal(long Version, string Error);

/// <summary>The desired routes, at their version, and the frontend lookup they need.</summary>
public sealed record DesiredRoutes(long Version, IReadOnlyList<Route> Routes, RouteLookup Lookup)
{
    public static readonly DesiredRoutes None = new(0, [], default);
}

/// <summary>
/// Everything the sync knows, immutable: the desired state (versioned per backend), what HAProxy
/// serves, what is due, and the facts its status reports. The transitions (other files of this
/// record) are pure functions of it, their inputs and the time they are given: no actor, no I/O,
/// tested without an actor system. <see cref="HaproxySyncActor"/> holds one and runs what
/// <see cref="Next"/> says is due.
/// </summary>
public sealed partial record SyncState
{
    private static readonly ImmutableHashSet<string> NoNames = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    public static readonly SyncState Initial = new();

    public SyncPhase Phase { get; init; } = SyncPhase.Recovering;

    // What HAProxy should serve.
    public ImmutableDictionary<string, VersionedBackend> Desired { get; init; } = ImmutableDictionary.Create<string, VersionedBackend>(StringComparer.Ordinal);

    /// <summary>The last version seen of each backend, deleted ones included (a deletion has a version too).</summary>
    public ImmutableDictionary<string, long> DesiredVersions { get; init; } = ImmutableDictionary.Create<string, long>(StringComparer.Ordinal);

    public DesiredRoutes Routes { get; init; } = DesiredRoutes.None;

    // What HAProxy serves.
    public ImmutableDictionary<string, VersionedBackend> Applied { get; init; } = ImmutableDictionary.Create<string, VersionedBackend>(StringComparer.Ordinal);

    public RouteMapsContent AppliedMaps { get; init; } = RouteMapsContent.Empty;

    /// <summary>The route lookup of the frontend HAProxy serves: set by each start and reload, it changes with no runtime command.</summary>
    public RouteLookup LiveLookup { get; init; }

    public long AppliedRoutesVersion { get; init; }

    /// <summary>Versions HAProxy refused: their backend keeps its last good version until a newer one comes.</summary>
    public ImmutableDictionary<string, Refusal> Refused { get; init; } = ImmutableDictionary.Create<string, Refusal>(StringComparer.Ordinal);

    /// <summary>Backends whose runtime change failed, or that HAProxy lost: the next reload brings them in.</summary>
    public ImmutableHashSet<string> ForceReload { get; init; } = NoNames;

    /// <summary>Servers deleted from the desired state that HAProxy still holds (connections draining).</summary>
    public ImmutableHashSet<ServerRef> Pending { get; init; } = [];

    /// <summary>
    /// HTTP/2 backends that got servers at runtime since the last reload: a reload makes those
    /// configuration servers (<see cref="SyncSettings.SettleDelay"/>), since <see cref="UnsettledSince"/>.
    /// </summary>
    public ImmutableHashSet<string> Unsettled { get; init; } = NoNames;

    public DateTime? UnsettledSince { get; init; }

    // What is due.
    /// <summary>
    /// Backends whose applied state may differ from their target: a round plans these only, so its
    /// cost follows the changes, not the number of backends. <see cref="MapsDirty"/> likewise for routes.
    /// </summary>
    public ImmutableHashSet<string> Dirty { get; init; } = NoNames;

    public bool MapsDirty { get; init; }

    /// <summary>
    /// Backends whose moves are being finished beside the rounds (<see cref="SyncRound.FinishMovesAsync"/>):
    /// rounds leave them out, and no reload or reconcile starts, until they are done.
    /// </summary>
    public ImmutableHashSet<string> Finishing { get; init; } = NoNames;

    public bool ReconcileWanted { get; init; }

    /// <summary>The route maps failed at runtime: they wait for a reload.</summary>
    public bool ReloadWanted { get; init; }

    /// <summary>haproxy.cfg and the maps on disk lag what is live (runtime changes not yet written).</summary>
    public bool ConfigLags { get; init; }

    /// <summary>Since when a needed reload waits for its window.</summary>
    public DateTime? ReloadPendingSince { get; init; }

    public DateTime LastReload { get; init; } = DateTime.MinValue;

    public DateTime LastConfigWrite { get; init; } = DateTime.MinValue;

    public DateTime LastChange { get; init; } = DateTime.MinValue;

    public FlushProgress Flush { get; init; }

    /// <summary>A startup that failed is not tried again before this.</summary>
    public DateTime StartupRetryAt { get; init; } = DateTime.MinValue;

    // Facts.
    /// <summary>The desired state has recovered completely.</summary>
    public bool Recovered { get; init; }

    /// <summary>HAProxy came up early on the configuration on disk: the startup reloads it if that lags.</summary>
    public bool StartedEarly { get; init; }

    /// <summary>HAProxy has come up on the recovered state (it stays true once stopped).</summary>
    public bool Serving { get; init; }

    /// <summary>The first reconcile after the startup is done: HAProxy serves the recovered state.</summary>
    public bool Ready { get; init; }

    public long Reloads { get; init; }

    public long RuntimeCommands { get; init; }

    public string? ConfigHash { get; init; }

    public string? LastReloadReason { get; init; }

    /// <summary>The last thing that went wrong, and when: kept after a recovery (<see cref="FailedInARow"/> and the refusals say what is current).</summary>
    public SyncError? LastError { get; init; }

    /// <summary>Rounds and reconciles that threw since the last that did not: how far the next try is put off.</summary>
    public int FailedInARow { get; init; }

    /// <summary>When work may run again after one threw (<see cref="RetryDelay"/>); <see cref="DateTime.MinValue"/> when none did.</summary>
    public DateTime RetryAt { get; init; } = DateTime.MinValue;

    public int? HaproxyPid { get; init; }

    public string? HaproxyVersion { get; init; }

    /// <summary>What HAProxy should serve: the desired state, except refused versions, which keep their last good one.</summary>
    public Dictionary<string, VersionedBackend> Target() => TargetOf(Desired.Keys);

    public Dictionary<string, VersionedBackend> TargetOf(IEnumerable<string> names)
    {
        var target = new Dictionary<string, VersionedBackend>(StringComparer.Ordinal);
        foreach (var name in names)
            if (TargetFor(name) is { } want)
                target[name] = want;
        return target;
    }

    public VersionedBackend? TargetFor(string name)
    {
        if (!Desired.TryGetValue(name, out var want))
            return null;
        if (Refused.TryGetValue(name, out var refused) && refused.Version == want.Version)
            return Applied.GetValueOrDefault(name);
        return want;
    }

    /// <summary>HAProxy serves this backend's target (or, both absent, nothing is due).</summary>
    public bool Converged(string name)
    {
        var want = TargetFor(name);
        var have = Applied.GetValueOrDefault(name);
        return want is null ? have is null : have is not null && have.Version == want.Version && !ForceReload.Contains(name);
    }

    /// <summary>Drops from <see cref="Dirty"/> the backends that converged.</summary>
    private SyncState WithoutConverged() => this with { Dirty = Dirty.Except(Dirty.Where(Converged)) };
}

/// <summary>What went wrong in the sync, and when (UTC).</summary>
public sealed record SyncError(string Message, DateTime At);
