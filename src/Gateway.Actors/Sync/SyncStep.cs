using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>Work a transition of <see cref="SyncState"/> asks <see cref="HaproxySyncActor"/> to run off the actor (or, <see cref="Stop"/>, to do).</summary>
public abstract record SyncWork
{
    /// <summary>Adopt the running HAProxy or start one on the configuration on disk.</summary>
    public sealed record EarlyStart : SyncWork
    {
        public static readonly EarlyStart Instance = new();
    }

    /// <summary>Bring HAProxy up on the recovered state (<see cref="SyncStartup"/>).</summary>
    public sealed record StartUp(IReadOnlyDictionary<string, VersionedBackend> Desired, IReadOnlyList<Route> Routes, bool AlreadyRunning) : SyncWork;

    /// <summary>Compare what HAProxy serves with <paramref name="Applied"/> and repair drift.</summary>
    public sealed record Reconcile(IReadOnlyDictionary<string, VersionedBackend> Applied) : SyncWork;

    /// <summary>Run one sync round (<see cref="SyncRound"/>) planned from the routes at <paramref name="RoutesVersion"/>.</summary>
    public sealed record Round(SyncJob Job, long RoutesVersion) : SyncWork;

    /// <summary>Answer the flush: the node may stop HAProxy.</summary>
    public sealed record Stop : SyncWork
    {
        public static readonly Stop Instance = new();
    }
}

/// <summary>What is due after a transition: work to run now, and when to look again for a reload, a config write, a startup that must wait, or work that threw.</summary>
public sealed record SyncStep(SyncWork? Work = null, TimeSpan? ReloadIn = null, TimeSpan? WriteConfigIn = null, TimeSpan? StartupRetryIn = null,
    TimeSpan? RetryIn = null)
{
    public static readonly SyncStep None = new();
}
