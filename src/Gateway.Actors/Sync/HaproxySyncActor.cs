using Akka;
using Akka.Hosting;
using Akka.Actor;
using Akka.Event;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>
/// Makes one HAProxy serve the desired state; one per node. It holds desired state (versioned
/// per backend) and applied state. When idle, a change goes out at once; while a round is in
/// flight, changes pile up and the next round takes them all (Akka.Cluster.Sharding's
/// batch-while-waiting). Each round is planned by <see cref="SyncPlanner"/>: server-level changes
/// and route maps through the runtime API, structural ones through one config transaction and one
/// reload, at most one reload per <see cref="SyncSettings.MinReloadInterval"/>. Every
/// <see cref="SyncSettings.SyncPeriod"/> it reconciles with what HAProxy really serves. A backend
/// HAProxy refuses keeps its last good version and its error, without holding up other backends.
/// </summary>
public sealed class HaproxySyncActor : ReceiveActor, IWithTimers
{
    /// <summary>Writes haproxy.cfg now if it lags what is live (at shutdown); replies <see cref="Done"/>.</summary>
    public sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed record StartupDone(StartupOutcome Outcome, IReadOnlyDictionary<string, VersionedBackend> Tried);
    private sealed record EarlyStarted(HaproxyRunning Running);
    private sealed record EarlyStartFailed(Exception Cause);
    private sealed record StartupFailed(Exception Cause);
    private sealed record RoundDone(SyncJob Job, long RoutesVersion, SyncOutcome Outcome);
    private sealed record ReconcileDone(ReconcileOutcome Outcome);
    private sealed record WorkFailed(Exception Cause);
    private sealed record HaproxyRestarted(int Pid);
    private sealed class Tick
    {
        public static readonly Tick Reconcile = new(), ReloadWindow = new(), FlushConfig = new(), Waiters = new(), RetryStartup = new();
    }

    private const string ReconcileTimer = "reconcile", ReloadTimer = "reload-window", FlushTimer = "flush-config",
        WaitersTimer = "waiters", StartupTimer = "startup";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SyncSettings _settings;
    private readonly IHaproxyClient _client;
    private readonly IActorRef _desiredState;
    private readonly ApplyWaiters _waiters = new();
    private readonly List<IActorRef> _flushWaiters = [];

    private readonly Dictionary<string, VersionedBackend> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _desiredVersions = new(StringComparer.Ordinal);
    private (long Version, IReadOnlyList<Route> Routes) _routes = (0, []);
    private Dictionary<string, VersionedBackend> _applied = new(StringComparer.Ordinal);
    private RouteMapsContent _appliedMaps = RouteMapsContent.Empty;
    private long _appliedRoutesVersion;
    private readonly Dictionary<string, (long Version, string Error)> _refused = new(StringComparer.Ordinal);
    private readonly HashSet<string> _forceReload = new(StringComparer.Ordinal);

    /// <summary>
    /// Backends whose applied state may differ from their target: a round plans these only, so its
    /// cost follows the changes, not the number of backends. <see cref="_mapsDirty"/> likewise for routes.
    /// </summary>
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private bool _mapsDirty;
    private HashSet<ServerRef> _pending = [];

    private bool _recovered, _running, _ready, _busy, _reconcileWanted, _reloadWanted, _configDirty, _earlyRunning;
    private DateTime _lastReload = DateTime.MinValue, _lastConfigWrite = DateTime.MinValue, _lastChange = DateTime.MinValue;
    private DateTime? _reloadPendingSince;
    private long _reloads, _runtimeCommands;
    private string? _configHash, _lastReloadReason, _lastError, _haproxyVersion;
    private int? _haproxyPid;

    public HaproxySyncActor(SyncSettings settings, IHaproxyClient client, IActorRef desiredState)
    {
        _settings = settings;
        _client = client;
        _desiredState = desiredState;

        Receive<DesiredStateActor.Snapshot>(snapshot => Take(snapshot));
        Receive<DesiredStateActor.Recovered>(recovered => Take(recovered.State));
        Receive<BackendStateChanged>(changed =>
        {
            if (_desiredVersions.TryGetValue(changed.BackendName, out var known) && known > changed.Version)
                return;
            _desiredVersions[changed.BackendName] = changed.Version;
            if (changed.Backend is null)
                _desired.Remove(changed.BackendName);
            else
                _desired[changed.BackendName] = new VersionedBackend(changed.Backend, changed.Version);
            _dirty.Add(changed.BackendName);
            _lastChange = DateTime.UtcNow;
            Kick();
        });
        Receive<RoutesStateChanged>(changed =>
        {
            if (changed.Version < _routes.Version)
                return;
            _routes = (changed.Version, changed.Routes);
            _mapsDirty = true;
            _lastChange = DateTime.UtcNow;
            Kick();
        });

        Receive<EarlyStarted>(early =>
        {
            _busy = false;
            _earlyRunning = true;
            (_haproxyPid, _haproxyVersion) = (early.Running.MasterPid, early.Running.Version);
            _log.Info("HAProxy (master [{0}], {1}) serves the configuration on disk while the desired state recovers", early.Running.MasterPid,
                early.Running.Kind == StartKind.Adopted ? "adopted" : "started");
            if (_recovered)
                StartUp();
        });
        Receive<EarlyStartFailed>(failed =>
        {
            _busy = false;
            _log.Warning("HAProxy could not start on the configuration on disk ({0}); it starts once the state has recovered", failed.Cause.Message);
            if (_recovered)
                StartUp();
        });
        Receive<StartupDone>(done => Started(done.Outcome, done.Tried));
        Receive<StartupFailed>(failed =>
        {
            _busy = false;
            _lastError = failed.Cause.Message;
            _log.Error(failed.Cause, "HAProxy did not come up on the recovered state; retrying in [{0}]", _settings.SyncPeriod);
            Timers.StartSingleTimer(StartupTimer, Tick.RetryStartup, _settings.SyncPeriod);
        });
        Receive<RoundDone>(done => Completed(done));
        Receive<ReconcileDone>(done => Reconciled(done.Outcome));
        Receive<WorkFailed>(failed =>
        {
            _busy = false;
            _lastError = failed.Cause.Message;
            _log.Error(failed.Cause, "Sync round failed; the next change or reconcile tries again");
            Kick();
        });
        Receive<HaproxyRestarted>(restarted =>
        {
            _log.Warning("HAProxy was started again (master [{0}]); reconciling with what it serves", restarted.Pid);
            _haproxyPid = restarted.Pid;
            _reconcileWanted = true;
            Kick();
        });

        Receive<Tick>(tick =>
        {
            if (tick == Tick.RetryStartup)
                StartUp();
            else if (tick == Tick.Reconcile)
            {
                _reconcileWanted = true;
                Kick();
            }
            else if (tick == Tick.Waiters)
                SettleWaiters();
            else
                Kick(); // the reload window opened, or the config file is due
        });

        Receive<Flush>(_ =>
        {
            if (!_configDirty || !_running)
            {
                Sender.Tell(Done.Instance);
                return;
            }
            _flushWaiters.Add(Sender);
            _lastConfigWrite = DateTime.MinValue; // due now
            Kick();
        });
        Receive<GetSyncStatus>(_ => Sender.Tell(Status()));
        Receive<AwaitApplied>(await =>
        {
            _waiters.Add(await, Sender, await.Timeout);
            SettleWaiters();
        });
        Receive<AwaitRoutesApplied>(await =>
        {
            _waiters.Add(await, Sender, await.Timeout);
            SettleWaiters();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SyncSettings settings, IHaproxyClient client, IActorRef desiredState) =>
        Akka.Actor.Props.Create(() => new HaproxySyncActor(settings, client, desiredState));

    protected override void PreStart()
    {
        var self = Self;
        _client.Restarted += pid => self.Tell(new HaproxyRestarted(pid));
        _desiredState.Tell(new DesiredStateActor.Subscribe(Self));
        // The file on disk equals the last desired state: serve it now, recovery may take a while.
        if (File.Exists(_settings.Layout.ConfigPath))
        {
            _busy = true;
            var client = _client;
            Run(ct => client.EnsureRunningAsync(ct), running => new EarlyStarted(running), e => new EarlyStartFailed(e));
        }
    }

    private void Take(DesiredStateActor.Snapshot snapshot)
    {
        _desired.Clear();
        foreach (var (name, backend) in snapshot.Backends)
        {
            _desired[name] = backend;
            _desiredVersions[name] = backend.Version;
        }
        _routes = (snapshot.RoutesVersion, snapshot.Routes);
        _dirty.UnionWith(_desired.Keys);
        _mapsDirty = true;
        if (snapshot.Recovered && !_recovered)
        {
            _recovered = true;
            StartUp();
        }
    }

    private void StartUp()
    {
        if (_busy || _running)
            return;
        _busy = true;
        _log.Info("Bringing HAProxy up on the recovered state: [{0}] backends, [{1}] routes", _desired.Count, _routes.Routes.Count);
        var (desired, routes, settings, client, early) = (Snapshot(_desired), _routes.Routes, _settings, _client, _earlyRunning);
        Run(ct => SyncStartup.RunAsync(desired, routes, settings, client, ct, early), o => new StartupDone(o, desired), e => new StartupFailed(e));
    }

    private void Started(StartupOutcome outcome, IReadOnlyDictionary<string, VersionedBackend> tried)
    {
        _busy = false;
        _running = true;
        _applied = outcome.Applied.ToDictionary(StringComparer.Ordinal);
        _appliedMaps = SyncPlanner.BuildMaps(_routes.Routes, _applied.Keys);
        _appliedRoutesVersion = _routes.Version;
        foreach (var (name, error) in outcome.Refused)
            Refuse(name, error, tried);
        _haproxyPid = outcome.Running.MasterPid;
        _haproxyVersion = outcome.Running.Version;
        _configHash = outcome.Written.Hash;
        if (outcome.Reload is { } reload)
        {
            _lastReload = DateTime.UtcNow;
            Reloaded(reload, "the running HAProxy serves an older configuration");
        }
        _dirty.UnionWith(_desired.Keys);
        _dirty.UnionWith(_applied.Keys);
        _dirty.RemoveWhere(Converged);
        _mapsDirty = _appliedRoutesVersion != _routes.Version;
        _log.Info("HAProxy {0} (master [{1}], {2}) serves [{3}] backends", _haproxyVersion, _haproxyPid,
            outcome.Running.Kind == StartKind.Adopted ? "adopted" : "started", _applied.Count);
        Timers.StartPeriodicTimer(ReconcileTimer, Tick.Reconcile, _settings.SyncPeriod);
        _reconcileWanted = true; // the first reconcile makes the node ready
        Kick();
    }

    /// <summary>Starts the next piece of work if idle: a reconcile when due, else a sync round if anything differs.</summary>
    private void Kick()
    {
        if (!_running || _busy)
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
        var plan = SyncPlanner.Plan(_applied, TargetOf(candidates), _forceReload, _pending, _routes.Routes, _appliedMaps, candidates, _mapsDirty);
        _dirty.RemoveWhere(Converged);
        if (!plan.NeedsReload && plan.Maps is null)
            _mapsDirty = false; // checked: the live maps are right
        if (_reloadWanted && !plan.NeedsReload)
            plan = plan with { Maps = null, ReloadReason = "route maps could not be changed at runtime" };
        var now = DateTime.UtcNow;
        if (plan.NeedsReload)
            _reloadPendingSince ??= now;
        var reloadAt = ReloadWindow();
        var reloadDue = plan.NeedsReload && now >= reloadAt;
        if (plan.NeedsReload && !reloadDue)
        {
            Timers.StartSingleTimer(ReloadTimer, Tick.ReloadWindow, reloadAt - now);
            // Runtime-capable changes of other backends are not held back by a pending reload.
            plan = plan with { Maps = null, Structural = [], ReloadReason = null };
        }
        var writeConfig = _configDirty && DateTime.UtcNow - _lastConfigWrite >= _settings.ConfigWriteInterval;
        if (!reloadDue && !plan.HasRuntimeWork && !writeConfig)
        {
            if (_configDirty)
                Timers.StartSingleTimer(FlushTimer, Tick.FlushConfig, _settings.ConfigWriteInterval);
            return;
        }

        _busy = true;
        var empty = new Dictionary<string, VersionedBackend>();
        var job = new SyncJob(plan, reloadDue, reloadDue || writeConfig ? Snapshot(_applied) : empty, reloadDue ? Target() : empty,
            _routes.Routes, writeConfig && !reloadDue);
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
        if (outcome.ReplacedAll)
        {
            _dirty.UnionWith(_applied.Keys); // what left HAProxy must be checked too
            _applied = outcome.Applied.ToDictionary(StringComparer.Ordinal);
            _dirty.UnionWith(_applied.Keys);
        }
        else
        {
            foreach (var (name, applied) in outcome.Applied)
                _applied[name] = applied;
        }
        _runtimeCommands += outcome.Commands;
        foreach (var (backend, error) in outcome.RuntimeFailures)
        {
            _log.Warning("Runtime change of [{0}] failed ({1}); falling back to a reload", backend, error);
            _forceReload.Add(backend);
            _dirty.Add(backend);
            _lastError = error;
        }
        if (outcome.Maps is { } maps)
        {
            _appliedMaps = maps;
            _appliedRoutesVersion = done.RoutesVersion;
        }
        if (outcome.MapsError is { } mapsError)
        {
            _lastError = mapsError;
            _log.Warning("Route maps not replaced at runtime ({0}); falling back to a reload", mapsError);
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
        if (outcome.Commands > 0)
            _log.Debug("Applied [{0}] runtime commands to [{1}] backends", outcome.Commands, job.Plan.Runtime.Count);
        if (!_configDirty)
        {
            foreach (var waiter in _flushWaiters)
                waiter.Tell(Done.Instance);
            _flushWaiters.Clear();
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
            _log.Error("Configuration for [{0}] not applied ({1}); HAProxy keeps serving the last good one", reason, _lastError);
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
        _log.Warning("Backend [{0}] version [{1}] refused by HAProxy; keeping its last good version: {2}", name, version, error);
    }

    private void Reconciled(ReconcileOutcome outcome)
    {
        _busy = false;
        _runtimeCommands += outcome.Commands;
        if (outcome.MissingBackends.Count > 0)
        {
            _log.Warning("HAProxy lacks backends [{0}]; reloading them in", string.Join(", ", outcome.MissingBackends));
            _forceReload.UnionWith(outcome.MissingBackends);
            _dirty.UnionWith(outcome.MissingBackends);
            foreach (var name in outcome.MissingBackends)
                _applied.Remove(name);
        }
        if (outcome.Commands > 0)
            _log.Warning("Repaired drift on [{0}] servers (HAProxy no longer served what was applied)", outcome.Commands);
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

    private void SettleWaiters()
    {
        _waiters.Settle(request => request switch
        {
            AwaitApplied a when AppliedVersion(a.BackendName) is { } v && v >= a.Version => new AppliedOk(v),
            AwaitApplied a when _refused.TryGetValue(a.BackendName, out var r) && r.Version >= a.Version => new ApplyFailed(r.Error),
            AwaitRoutesApplied r when _appliedRoutesVersion >= r.Version => new AppliedOk(_appliedRoutesVersion),
            _ => null,
        });
        if (_waiters.Any)
            Timers.StartSingleTimer(WaitersTimer, Tick.Waiters, TimeSpan.FromMilliseconds(50));
    }

    /// <summary>The version HAProxy serves: the applied one, or for a deleted backend gone from HAProxy, its deletion.</summary>
    private long? AppliedVersion(string name)
    {
        if (_applied.TryGetValue(name, out var applied))
            return applied.Version;
        return _running && !_desired.ContainsKey(name) && _desiredVersions.TryGetValue(name, out var deleted) ? deleted : null;
    }

    private SyncStatus Status()
    {
        var backends = new SortedDictionary<string, BackendSyncState>(StringComparer.Ordinal);
        foreach (var (name, want) in _desired)
            backends[name] = new BackendSyncState(want.Version, _applied.TryGetValue(name, out var a) ? a.Version : null,
                _refused.TryGetValue(name, out var r) && r.Version == want.Version ? r.Error : null);
        return new SyncStatus(_ready, _reloads, _runtimeCommands, _configHash, _lastReloadReason, _lastError, _haproxyPid, _haproxyVersion,
            _routes.Version, _appliedRoutesVersion, _pending.Count, backends);
    }

    private static IReadOnlyDictionary<string, VersionedBackend> Snapshot(Dictionary<string, VersionedBackend> source) =>
        new Dictionary<string, VersionedBackend>(source, StringComparer.Ordinal);

    /// <summary>Runs async work off the actor with a timeout and pipes its result (or failure) back as a message.</summary>
    private void Run<T>(Func<CancellationToken, Task<T>> work, Func<T, object> success, Func<Exception, object> failure)
    {
        var timeout = _settings.RoundTimeout;
        Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource(timeout);
            return await work(cts.Token).ConfigureAwait(false);
        }).PipeTo(Self, success: result => success(result), failure: e => failure(e));
    }
}

/// <summary>Akka.Hosting registration of <see cref="HaproxySyncActor"/>; HAProxy is stopped (or left running) at coordinated shutdown.</summary>
public static class HaproxySyncActorHosting
{
    public static AkkaConfigurationBuilder AddHaproxySync(this AkkaConfigurationBuilder builder, SyncSettings settings,
        IHaproxyClient client) =>
        builder.WithActors((system, registry) =>
        {
            var sync = system.ActorOf(HaproxySyncActor.Props(settings, client, registry.Get<DesiredStateActor>()), "haproxy-sync");
            registry.Register<HaproxySyncActor>(sync);
            var shutdown = CoordinatedShutdown.Get(system);
            shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "flush-haproxy-config", async () =>
            {
                await sync.Ask<Done>(HaproxySyncActor.Flush.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                return Done.Instance;
            });
            shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stop-haproxy", async () =>
            {
                await client.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return Done.Instance;
            });
        });
}
