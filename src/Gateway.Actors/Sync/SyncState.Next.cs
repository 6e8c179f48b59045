using System.Collections.Immutable;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>
/// What runs next. Only when nothing is in flight: while the startup, a round or a reconcile runs,
/// whatever comes in piles up in the state and the next round takes it all (Akka.Cluster.Sharding's
/// batch-while-waiting). Before HAProxy serves: the startup once the state has recovered. After: a
/// reconcile when due, else a round if anything differs. Once asked to flush: stop as soon as
/// nothing is in flight and the config is written.
/// </summary>
public sealed partial record SyncState
{
    public (SyncState State, SyncStep Step) Next(DateTime now, SyncSettings settings) => Phase switch
    {
        SyncPhase.Recovering => NextWhileDown(now),
        SyncPhase.Idle => NextWhileIdle(now, settings),
        _ => (this, SyncStep.None),
    };

    private (SyncState State, SyncStep Step) NextWhileDown(DateTime now)
    {
        if (Flush != FlushProgress.NotAsked)
            return Stop(); // nothing is up on the recovered state, so nothing lags
        if (!Recovered)
            return (this, SyncStep.None);
        if (now < StartupRetryAt)
            return (this, new SyncStep(StartupRetryIn: StartupRetryAt - now));
        return (this with { Phase = SyncPhase.StartingUp }, new SyncStep(new SyncWork.StartUp(Desired, Routes.Routes, StartedEarly)));
    }

    private (SyncState State, SyncStep Step) NextWhileIdle(DateTime now, SyncSettings settings)
    {
        var finishing = !Finishing.IsEmpty; // moves finish beside rounds: their backends wait, and so do reloads, reconciles and the stop
        if (!finishing && (Flush == FlushProgress.WriteTried || (Flush == FlushProgress.Asked && !ConfigLags)))
            return Stop(); // one try: a write that failed does not hold the stop
        if (now < RetryAt && Flush == FlushProgress.NotAsked)
            return (this, new SyncStep(RetryIn: RetryAt - now)); // work threw: changes pile up until the next try
        if (ReconcileWanted && !finishing)
            return (this with { Phase = SyncPhase.Reconciling, ReconcileWanted = false }, new SyncStep(new SyncWork.Reconcile(Applied)));

        var dirty = finishing ? Dirty.Except(Finishing) : Dirty;
        var plan = SyncPlanner.Plan(Applied, TargetOf(dirty), ForceReload, Pending, Routes.Routes, AppliedMaps, dirty, MapsDirty,
            (LiveLookup, Routes.Lookup));
        var next = WithoutConverged();
        if (plan.Maps is null)
            next = next with { MapsDirty = false }; // checked: the live maps are right (a reload renders its own from the same state)
        if (ReloadWanted) // the maps failed at runtime: not again until the reload
            plan = plan with { Maps = null, ReloadReason = plan.ReloadReason ?? "route maps could not be changed at runtime" };
        if (plan.NeedsReload)
            next = next with { ReloadPendingSince = ReloadPendingSince ?? now };
        var reloadAt = next.ReloadWindow(now, settings);
        if (!plan.NeedsReload && next.SettleWindow(settings) is { } settleAt)
        {
            plan = plan with { ReloadReason = SettleReason };
            reloadAt = settleAt;
        }
        var reloadDue = plan.NeedsReload && now >= reloadAt && !finishing;
        TimeSpan? reloadIn = null;
        if (plan.NeedsReload && !reloadDue)
        {
            reloadIn = finishing ? null : reloadAt - now; // else once the moves are finished
            // Runtime-capable changes (of other backends, and the maps) are not held back by a pending reload.
            plan = plan with { Structural = [], ReloadReason = null };
        }
        var writeConfig = ConfigLags && now - LastConfigWrite >= settings.ConfigWriteInterval;
        if (!reloadDue && !plan.HasRuntimeWork && !writeConfig)
            return (next, new SyncStep(ReloadIn: reloadIn, WriteConfigIn: ConfigLags ? settings.ConfigWriteInterval : null));

        var job = new SyncJob(plan, reloadDue, Applied, reloadDue ? Target() : ImmutableDictionary<string, VersionedBackend>.Empty, Routes.Routes,
            writeConfig && !reloadDue, AppliedMaps, LiveLookup);
        next = next with { Phase = SyncPhase.Applying };
        if (writeConfig && Flush == FlushProgress.Asked)
            next = next with { Flush = FlushProgress.WriteTried };
        if (reloadDue)
            next = next with { LastReload = now, ReloadWanted = false, ReloadPendingSince = null };
        return (next, new SyncStep(new SyncWork.Round(job, Routes.Version), reloadIn));
    }

    public const string SettleReason = "servers added at runtime to HTTP/2 backends join the configuration (HAProxy 2.6 gives them one stream per connection)";

    /// <summary>When servers added at runtime to HTTP/2 backends join the configuration by a reload, if any wait for it.</summary>
    private DateTime? SettleWindow(SyncSettings settings)
    {
        if (UnsettledSince is not { } since)
            return null;
        var settle = since + settings.SettleDelay;
        var earliest = LastReload == DateTime.MinValue ? DateTime.MinValue : LastReload + settings.MinReloadInterval;
        return earliest > settle ? earliest : settle;
    }

    private (SyncState, SyncStep) Stop() => (this with { Phase = SyncPhase.Stopped }, new SyncStep(SyncWork.Stop.Instance));

    /// <summary>
    /// When the next reload may run: not within <see cref="SyncSettings.MinReloadInterval"/> of the
    /// last, and once changes paused for <see cref="SyncSettings.ReloadQuietPeriod"/> (a burst shares
    /// one reload) or the first waiting change is <see cref="SyncSettings.MaxReloadDelay"/> old.
    /// </summary>
    private DateTime ReloadWindow(DateTime now, SyncSettings settings)
    {
        var quiet = LastChange + settings.ReloadQuietPeriod;
        var overdue = (ReloadPendingSince ?? now) + settings.MaxReloadDelay;
        var earliest = LastReload == DateTime.MinValue ? DateTime.MinValue : LastReload + settings.MinReloadInterval;
        var settled = quiet < overdue ? quiet : overdue;
        return earliest > settled ? earliest : settled;
    }
}
