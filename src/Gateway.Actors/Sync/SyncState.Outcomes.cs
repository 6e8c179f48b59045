using System.Collections.Immutable;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>
/// What a round or a reconcile did, taken into the state; back to <see cref="SyncPhase.Idle"/>.
/// Every name a round touched is still in <see cref="Dirty"/> (changes arriving meanwhile were
/// added to it): the next <see cref="Next"/> drops those that converged.
/// </summary>
public sealed partial record SyncState
{
    /// <param name="routesVersion">The routes version the round was planned from.</param>
    public SyncState RoundCompleted(SyncJob job, long routesVersion, SyncOutcome outcome, DateTime now)
    {
        var state = Succeeded() with
        {
            Phase = SyncPhase.Idle,
            Applied = outcome.ReplacedAll ? outcome.Applied.ToImmutableDictionary(StringComparer.Ordinal) : Applied.SetItems(outcome.Applied),
            RuntimeCommands = RuntimeCommands + outcome.Commands,
            Finishing = Finishing.Union(SyncRound.Backends(outcome.MovesToFinish)),
        };
        state = state.FallenBackToReload(outcome.RuntimeFailures, now);
        // Served once the frontend looks them up too: a change of lookup is served by its reload.
        if (outcome.Maps is { } maps)
            state = state with
            {
                AppliedMaps = maps,
                AppliedRoutesVersion = RouteLookup.Of(job.Routes) == LiveLookup ? routesVersion : state.AppliedRoutesVersion,
            };
        if (outcome.MapsError is { } mapsError)
            state = state.Failing(mapsError, now) with { ReloadWanted = true };
        var attempted = job.Plan.Runtime.SelectMany(s => s.Removals.Select(r => new ServerRef(s.Backend, r)));
        state = state with { Pending = state.Pending.Except(attempted).Union(outcome.StillPending) };

        state = state.WithUnsettled(job, outcome, now);

        if (outcome.Reload is { } reload)
        {
            if (reload.Outcome == CommitOutcome.Reloaded)
                state = state with
                {
                    Unsettled = state.Unsettled.Clear(),
                    UnsettledSince = null,
                    ForceReload = state.ForceReload.Clear(),
                    Pending = state.Pending.Clear(),
                    AppliedRoutesVersion = routesVersion,
                    AppliedMaps = outcome.Maps ?? state.AppliedMaps,
                    LiveLookup = RouteLookup.Of(job.Routes),
                    MapsDirty = routesVersion != Routes.Version,
                };
            else
            {
                foreach (var name in Culprits(job, outcome))
                    state = state.Refuse(name, string.Join("; ", reload.Errors), job.Target, now);
                if (state.UnsettledSince is not null)
                    state = state with { UnsettledSince = now }; // tried again a settle delay later, not at every window
            }
            state = state.Reloaded(reload, ReloadReasonOf(job), now);
        }
        else if (job.Plan.Runtime.Count > 0 || outcome.Maps is not null)
        {
            state = state with { ConfigLags = true }; // haproxy.cfg and the maps on disk lag what is live until the next write
        }
        if (outcome.Written is { } written)
            state = written.Succeeded
                ? state with { ConfigLags = false, LastConfigWrite = now, ConfigHash = written.Hash }
                : state.Failing(string.Join("; ", written.Errors), now);
        return state;
    }

    /// <summary>
    /// Moves a round left to finish are done (<see cref="SyncRound.FinishMovesAsync"/>): their backends
    /// go back to the rounds; one HAProxy refused falls back to a reload; twins still draining are removed later.
    /// </summary>
    public SyncState MovesFinished(MovesOutcome outcome, DateTime now)
    {
        var state = this with
        {
            Finishing = Finishing.Except(outcome.Backends),
            Pending = Pending.Union(outcome.StillPending),
        };
        return state.FallenBackToReload(outcome.Failures, now);
    }

    /// <summary>Backends HAProxy refused a runtime change of: they go in by a reload; the last error is kept for the status.</summary>
    private SyncState FallenBackToReload(IReadOnlyList<(string Backend, string Error)> failures, DateTime now)
    {
        var state = this;
        foreach (var (backend, error) in failures)
            state = state.Failing(error, now) with { ForceReload = state.ForceReload.Add(backend), Dirty = state.Dirty.Add(backend) };
        return state;
    }

    /// <summary>
    /// HTTP/2 backends this round added servers to at runtime: a reload makes them configuration
    /// servers (<see cref="SyncSettings.SettleDelay"/>). A move's twin is not counted: it leaves in a second.
    /// </summary>
    private SyncState WithUnsettled(SyncJob job, SyncOutcome outcome, DateTime now)
    {
        if (outcome.ReplacedAll)
            return this;
        var added = job.Plan.Runtime
            .Where(s => SettlesAddedServers(s.Target) && outcome.Applied.ContainsKey(s.Backend) && s.Commands.Any(c => c.Change == ServerChange.Added))
            .Select(s => s.Backend);
        return WithUnsettled(added, now);
    }

    private SyncState WithUnsettled(IEnumerable<string> backends, DateTime now)
    {
        var unsettled = Unsettled.Union(backends);
        return unsettled.Count == Unsettled.Count ? this : this with { Unsettled = unsettled, UnsettledSince = UnsettledSince ?? now };
    }

    /// <summary>
    /// A server added at runtime to this backend needs a settle reload: HAProxy 2.6 gives dynamic
    /// servers <c>max-reuse 0</c>, one stream per HTTP/2 connection.
    /// </summary>
    public static bool SettlesAddedServers(Backend backend) => backend.Protocol is ServerProtocol.H2c or ServerProtocol.H2;

    /// <summary>The backends a refused reload is blamed on: those <c>haproxy -c</c> named, else all the round brought in.</summary>
    public static IReadOnlyList<string> Culprits(SyncJob job, SyncOutcome outcome) =>
        outcome.RefusedBackends.Count > 0 ? outcome.RefusedBackends : job.Plan.Structural;

    public static string ReloadReasonOf(SyncJob job) => job.Plan.ReloadReason ?? "configuration changed";

    /// <summary>
    /// The first reconcile makes the node ready; servers it put back on HTTP/2 backends wait for a settle
    /// reload. One that ran to its end ends a run of failures only when no change waits: a round that
    /// keeps failing is not tried again sooner for the reconciles between its tries.
    /// </summary>
    public SyncState Reconciled(ReconcileOutcome outcome, DateTime now)
    {
        var missing = outcome.MissingBackends;
        var settled = Dirty.IsEmpty && missing.Count == 0 ? Succeeded() : this;
        return settled.WithUnsettled(outcome.Unsettled.Except(missing), now) with
        {
            Phase = SyncPhase.Idle,
            RuntimeCommands = RuntimeCommands + outcome.Commands,
            ForceReload = ForceReload.Union(missing),
            Dirty = Dirty.Union(missing),
            Applied = Applied.RemoveRange(missing),
            LastError = outcome.Error is { } error ? new SyncError(error, now) : LastError,
            Pending = [.. outcome.StillPending],
            Ready = true,
        };
    }

    /// <summary>
    /// A round or a reconcile threw (a full disk, an unwritable config dir, HAProxy's socket gone): what it
    /// was to do is still dirty, and the next one tries again once <see cref="RetryDelay"/> has passed,
    /// longer after each failure in a row, so a fault that lasts is not hit (and logged) every second.
    /// </summary>
    public SyncState WorkFailed(string error, DateTime now) =>
        Failing(error, now) with { Phase = SyncPhase.Idle, FailedInARow = FailedInARow + 1, RetryAt = now + RetryDelay(FailedInARow + 1) };

    /// <summary>The wait after the <paramref name="failedInARow"/>th failure in a row: 1 s, doubled each time, 30 s at most.</summary>
    public static TimeSpan RetryDelay(int failedInARow) => TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(failedInARow - 1, 5)));

    /// <summary>Something went wrong at <paramref name="now"/>: the status's last error.</summary>
    private SyncState Failing(string error, DateTime now) => this with { LastError = new SyncError(error, now) };

    /// <summary>Work that ran to its end: the next failure waits the shortest again.</summary>
    private SyncState Succeeded() => this with { FailedInARow = 0, RetryAt = DateTime.MinValue };

    private SyncState Reloaded(CommitResult result, string reason, DateTime now) =>
        result.Outcome == CommitOutcome.Reloaded
            ? this with
            {
                Reloads = Reloads + 1,
                LastReloadReason = reason,
                ConfigHash = result.Hash,
                ConfigLags = false,
                LastConfigWrite = now,
            }
            : Failing($"{result.Outcome}: {string.Join("; ", result.Errors)}", now);

    /// <param name="tried">What HAProxy checked: a newer version that arrived meanwhile is not refused with it, it gets its own try.</param>
    private SyncState Refuse(string name, string error, IReadOnlyDictionary<string, VersionedBackend> tried, DateTime now)
    {
        var version = tried.TryGetValue(name, out var checkedVersion) ? checkedVersion.Version
            : Desired.TryGetValue(name, out var want) ? want.Version : DesiredVersions.GetValueOrDefault(name);
        return Failing($"backend {name}: {error}", now) with
        {
            Refused = Refused.SetItem(name, new Refusal(version, error)),
            Dirty = Dirty.Add(name),
        };
    }
}
