using System.Collections.Immutable;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>
/// Bringing HAProxy up: early on the configuration on disk while the state recovers (it equals the
/// last desired state), then on the recovered state (<see cref="Next"/> starts it), retried after a failure.
/// </summary>
public sealed partial record SyncState
{
    public const string StartupReloadReason = "the running HAProxy serves an older configuration";

    /// <summary>Serve the configuration on disk now: recovery may take a while.</summary>
    public (SyncState State, SyncStep Step) StartEarly() =>
        Phase == SyncPhase.Recovering
            ? (this with { Phase = SyncPhase.EarlyStarting }, new SyncStep(SyncWork.EarlyStart.Instance))
            : (this, SyncStep.None);

    public SyncState EarlyStarted(HaproxyRunning running) =>
        this with { Phase = SyncPhase.Recovering, StartedEarly = true, HaproxyPid = running.MasterPid, HaproxyVersion = running.Version };

    /// <summary>HAProxy could not start on the file on disk: it starts once the state has recovered.</summary>
    public SyncState EarlyStartFailed() => this with { Phase = SyncPhase.Recovering };

    /// <param name="tried">The desired state the startup was given: a newer version that arrived meanwhile is not refused with it.</param>
    public SyncState Started(StartupOutcome outcome, IReadOnlyDictionary<string, VersionedBackend> tried, DateTime now)
    {
        var state = this with
        {
            Phase = SyncPhase.Idle,
            Serving = true,
            Applied = outcome.Applied.ToImmutableDictionary(StringComparer.Ordinal),
            // The maps HAProxy loaded may lag (an adopted HAProxy, or map changes not yet written when the
            // last node stopped): treat them as unknown, so the first round replaces them at runtime.
            AppliedMaps = RouteMapsContent.Empty,
            LiveLookup = outcome.Lookup,
        };
        foreach (var (name, error) in outcome.Refused)
            state = state.Refuse(name, error, tried, now);
        state = state with { HaproxyPid = outcome.Running.MasterPid, HaproxyVersion = outcome.Running.Version, ConfigHash = outcome.Written.Hash };
        if (outcome.Reload is { } reload)
            state = (state with { LastReload = now }).Reloaded(reload, StartupReloadReason, now);
        return (state with
        {
            Dirty = state.Dirty.Union(state.Desired.Keys).Union(state.Applied.Keys),
            MapsDirty = true,
            ReconcileWanted = true, // the first reconcile makes the node ready
        }).WithoutConverged();
    }

    /// <summary>The startup failed: back to waiting, for a retry one <see cref="SyncSettings.SyncPeriod"/> later.</summary>
    public SyncState StartupFailed(string error, DateTime now, SyncSettings settings) =>
        Failing(error, now) with { Phase = SyncPhase.Recovering, StartupRetryAt = now + settings.SyncPeriod };
}
