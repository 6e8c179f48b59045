using Akka;
using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>Planning, running and settling sync rounds and reconciles.</summary>
public sealed partial class HaproxySyncActor
{
    /// <summary>
    /// Starts the next piece of work if idle: a reconcile when due, else a sync round if anything
    /// differs. Once asked to flush, it answers when idle with the config written, and stops.
    /// </summary>
    private void Kick()
    {
        if (_stopped || _busy)
            return;
        if (_flushWaiters.Count > 0 && (!(_running && _configDirty) || _flushWritten))
        {
            foreach (var waiter in _flushWaiters)
                waiter.Tell(Done.Instance);
            _flushWaiters.Clear();
            _stopped = true;
            return;
        }
        if (!_running)
            return;
        if (_reconcileWanted)
        {
            _reconcileWanted = false;
            _busy = true;
            var (applied, client) = (Snapshot(_applied), _client);
            Run(ct => SyncRound.ReconcileAsync(applied, client, ct), o => new ReconcileDone(o), e => new WorkFailed(e));
            return;
        }

        var candidates = _dirty.ToList();
        var plan = SyncPlanner.Plan(_applied, TargetOf(candidates), _forceReload, _pending, _routes.Routes, _appliedMaps, candidates, _mapsDirty,
            (_liveLookup, _routes.Lookup));
        _dirty.RemoveWhere(Converged);
        if (plan.Maps is null)
            _mapsDirty = false; // checked: the live maps are right (a reload renders its own from the same state)
        if (_reloadWanted) // the maps failed at runtime: not again until the reload
            plan = plan with { Maps = null, ReloadReason = plan.ReloadReason ?? "route maps could not be changed at runtime" };
        var now = DateTime.UtcNow;
        if (plan.NeedsReload)
            _reloadPendingSince ??= now;
        var reloadAt = ReloadWindow();
        var reloadDue = plan.NeedsReload && now >= reloadAt;
        if (plan.NeedsReload && !reloadDue)
        {
            Timers.StartSingleTimer(ReloadTimer, Tick.ReloadWindow, reloadAt - now);
            // Runtime-capable changes (of other backends, and the maps) are not held back by a pending reload.
            plan = plan with { Structural = [], ReloadReason = null };
        }
        var writeConfig = _configDirty && DateTime.UtcNow - _lastConfigWrite >= _settings.ConfigWriteInterval;
        if (!reloadDue && !plan.HasRuntimeWork && !writeConfig)
        {
            if (_configDirty)
                Timers.StartSingleTimer(FlushTimer, Tick.FlushConfig, _settings.ConfigWriteInterval);
            return;
        }

        _busy = true;
        _flushWritten |= writeConfig && _flushWaiters.Count > 0; // one try: a write that fails does not hold the stop
        var empty = new Dictionary<string, VersionedBackend>();
        var job = new SyncJob(plan, reloadDue, reloadDue || writeConfig ? Snapshot(_applied) : empty, reloadDue ? Target() : empty,
            _routes.Routes, writeConfig && !reloadDue, _appliedMaps, _liveLookup);
        if (reloadDue)
        {
            _lastReload = DateTime.UtcNow;
            _reloadWanted = false;
            _reloadPendingSince = null;
        }
        var (routesVersion, settings, haproxy) = (_routes.Version, _settings, _client);
        Run(ct => SyncRound.RunAsync(job, settings, haproxy, ct), o => new RoundDone(job, routesVersion, o), e => new WorkFailed(e));
    }

    /// <summary>
    /// When the next reload may run: not within <see cref="SyncSettings.MinReloadInterval"/> of the
    /// last, and once changes paused for <see cref="SyncSettings.ReloadQuietPeriod"/> (a burst shares
    /// one reload) or the first waiting change is <see cref="SyncSettings.MaxReloadDelay"/> old.
    /// </summary>
    private DateTime ReloadWindow()
    {
        var quiet = _lastChange + _settings.ReloadQuietPeriod;
        var overdue = (_reloadPendingSince ?? DateTime.UtcNow) + _settings.MaxReloadDelay;
        var earliest = _lastReload == DateTime.MinValue ? DateTime.MinValue : _lastReload + _settings.MinReloadInterval;
        var settled = quiet < overdue ? quiet : overdue;
        return earliest > settled ? earliest : settled;
    }

    /// <summary>What HAProxy should serve: the desired state, except refused versions, which keep their last good one.</summary>
    private Dictionary<string, VersionedBackend> Target() => TargetOf(_desired.Keys);

    private Dictionary<string, VersionedBackend> TargetOf(IEnumerable<string> names)
    {
        var target = new Dictionary<string, VersionedBackend>(StringComparer.Ordinal);
        foreach (var name in names)
            if (TargetFor(name) is { } want)
                target[name] = want;
        return target;
    }

    private VersionedBackend? TargetFor(string name)
    {
        if (!_desired.TryGetValue(name, out var want))
            return null;
        if (_refused.TryGetValue(name, out var refused) && refused.Version == want.Version)
            return _applied.GetValueOrDefault(name);
        return want;
    }

    /// <summary>HAProxy serves this backend's target (or, both absent, nothing is due).</summary>
    private bool Converged(string name)
    {
        var want = TargetFor(name);
        var have = _applied.GetValueOrDefault(name);
        return want is null ? have is null : have is not null && have.Version == want.Version && !_forceReload.Contains(name);
    }

    private void Completed(RoundDone done)
    {
        _busy = false;
        var (job, outcome) = (done.Job, done.Outcome);
        // Every name a round touched is still in _dirty (changes arriving meanwhile were added to it);
        // the next Kick drops those that converged.
        if (outcome.ReplacedAll)
        {
            _applied = outcome.Applied.ToDictionary(StringComparer.Ordinal);
        }
        else
        {
            foreach (var (name, applied) in outcome.Applied)
                _applied[name] = applied;
        }
        _runtimeCommands += outcome.Commands;
        foreach (var (backend, error) in outcome.RuntimeFailures)
        {
            _log.Warning("Runtime change of [{Backend}] failed ({Error}); falling back to a reload", backend, error);
            _forceReload.Add(backend);
            _dirty.Add(backend);
            _lastError = error;
        }
        if (outcome.Maps is { } maps)
        {
            _appliedMaps = maps;
            // Served once the frontend looks them up too: a change of lookup is served by its reload.
            if (RouteLookup.Of(job.Routes) == _liveLookup)
                _appliedRoutesVersion = done.RoutesVersion;
        }
        if (outcome.MapsError is { } mapsError)
        {
            _lastError = mapsError;
            _log.Warning("Route maps not replaced at runtime ({Error}); falling back to a reload", mapsError);
            _reloadWanted = true;
        }
        var attempted = job.Plan.Runtime.SelectMany(s => s.Removals.Select(r => new ServerRef(s.Backend, r)));
        _pending.ExceptWith(attempted);
        _pending.UnionWith(outcome.StillPending);

        if (outcome.Reload is { } reload)
        {
            if (reload.Outcome == CommitOutcome.Reloaded)
            {
                _forceReload.Clear();
                _pending.Clear();
                _appliedRoutesVersion = done.RoutesVersion;
                _appliedMaps = outcome.Maps ?? _appliedMaps;
                _liveLookup = RouteLookup.Of(job.Routes);
                _mapsDirty = done.RoutesVersion != _routes.Version;
            }
            else
            {
                var culprits = outcome.RefusedBackends.Count > 0 ? outcome.RefusedBackends : job.Plan.Structural;
                foreach (var name in culprits)
                    Refuse(name, string.Join("; ", reload.Errors), job.Target);
            }
            Reloaded(reload, job.Plan.ReloadReason ?? "configuration changed");
        }
        else if (job.Plan.Runtime.Count > 0 || outcome.Maps is not null)
        {
            _configDirty = true; // haproxy.cfg and the maps on disk lag what is live until the next write
        }
        if (outcome.Written is { } written)
        {
            if (written.Succeeded)
            {
                _configDirty = false;
                _lastConfigWrite = DateTime.UtcNow;
                _configHash = written.Hash;
            }
            else
            {
                _lastError = string.Join("; ", written.Errors);
            }
        }
        if (outcome.Tally is { Changed: true } tally)
            LogRound(tally);
        if (outcome.Reload is null && outcome.Maps is { } replaced)
        {
            var (entries, missing) = MapsTally.Of(replaced);
            _log.Info("Replaced the route maps at runtime for routes version [{RoutesVersion}]: [{Entries}] entries, [{Missing}] of them answering 503 (backend missing)",
                done.RoutesVersion, entries, missing);
        }
        SettleWaiters();
        Kick();
    }

    private void Reloaded(CommitResult result, string reason)
    {
        if (result.Outcome == CommitOutcome.Reloaded)
        {
            _reloads++;
            _lastReloadReason = reason;
            _configHash = result.Hash;
            _configDirty = false;
            _lastConfigWrite = DateTime.UtcNow;
        }
        else
        {
            _lastError = $"{result.Outcome}: {string.Join("; ", result.Errors)}";
            _log.Error("Configuration for [{Reason}] not applied ({Error}); HAProxy keeps serving the last good one", reason, _lastError);
        }
    }

    /// <param name="tried">What HAProxy checked: a newer version that arrived meanwhile is not refused with it, it gets its own try.</param>
    private void Refuse(string name, string error, IReadOnlyDictionary<string, VersionedBackend> tried)
    {
        var version = tried.TryGetValue(name, out var checkedVersion) ? checkedVersion.Version
            : _desired.TryGetValue(name, out var want) ? want.Version : _desiredVersions.GetValueOrDefault(name);
        _refused[name] = (version, error);
        _dirty.Add(name);
        _lastError = $"backend {name}: {error}";
        _log.Warning("Backend [{Backend}] version [{Version}] refused by HAProxy; keeping its last good version: {Error}", name, version, error);
    }

    private void Reconciled(ReconcileOutcome outcome)
    {
        _busy = false;
        _runtimeCommands += outcome.Commands;
        if (outcome.MissingBackends.Count > 0)
        {
            _log.Warning("HAProxy lacks backends [{Backends}]; reloading them in", string.Join(", ", outcome.MissingBackends));
            _forceReload.UnionWith(outcome.MissingBackends);
            _dirty.UnionWith(outcome.MissingBackends);
            foreach (var name in outcome.MissingBackends)
                _applied.Remove(name);
        }
        if (outcome.Commands > 0)
            _log.Warning("Repaired drift on [{Servers}] servers with [{Commands}] runtime commands (HAProxy no longer served what was applied)",
                outcome.Servers, outcome.Commands);
        if (outcome.Error is { } error)
            _lastError = error;
        _pending = [.. outcome.StillPending];
        if (!_ready)
        {
            _ready = true;
            _log.Info("Ready: HAProxy serves the recovered state");
        }
        SettleWaiters();
        Kick();
    }
}
