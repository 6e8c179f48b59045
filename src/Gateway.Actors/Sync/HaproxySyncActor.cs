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
public sealed partial class HaproxySyncActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// The node stops: finish the round in flight, write haproxy.cfg if it lags what is live, reply
    /// <see cref="Done"/>, and start no round after that (HAProxy is stopped next; what changes
    /// meanwhile is in the journal and goes out at the next start).
    /// </summary>
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
        public static readonly Tick Reconcile = new(), ReloadWindow = new(), FlushConfig = new(), Waiters = new(), RetryStartup = new(),
            RoundLog = new();
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
    private (long Version, IReadOnlyList<Route> Routes, RouteLookup Lookup) _routes = (0, [], default);
    private Dictionary<string, VersionedBackend> _applied = new(StringComparer.Ordinal);
    private RouteMapsContent _appliedMaps = RouteMapsContent.Empty;
    /// <summary>The route lookup of the frontend HAProxy serves: set by each start and reload, it changes with no runtime command.</summary>
    private RouteLookup _liveLookup;
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

    private bool _recovered, _running, _ready, _busy, _reconcileWanted, _reloadWanted, _configDirty, _earlyRunning, _stopped, _flushWritten;
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
            // A backend HAProxy has that leaves or re-enters the desired state changes where its routes go.
            if (_applied.ContainsKey(changed.BackendName) && _desired.ContainsKey(changed.BackendName) != (changed.Backend is not null))
                _mapsDirty = true;
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
            _routes = (changed.Version, changed.Routes, RouteLookup.Of(changed.Routes));
            _mapsDirty = true;
            _lastChange = DateTime.UtcNow;
            Kick();
        });

        Receive<EarlyStarted>(early =>
        {
            _busy = false;
            _earlyRunning = true;
            (_haproxyPid, _haproxyVersion) = (early.Running.MasterPid, early.Running.Version);
            _log.Info("HAProxy (master [{Pid}], {How}) serves the configuration on disk while the desired state recovers", early.Running.MasterPid,
                early.Running.Kind == StartKind.Adopted ? "adopted" : "started");
            if (_recovered)
                StartUp();
        });
        Receive<EarlyStartFailed>(failed =>
        {
            _busy = false;
            _log.Warning("HAProxy could not start on the configuration on disk ({Error}); it starts once the state has recovered", failed.Cause.Message);
            if (_recovered)
                StartUp();
        });
        Receive<StartupDone>(done => Started(done.Outcome, done.Tried));
        Receive<StartupFailed>(failed =>
        {
            _busy = false;
            _lastError = failed.Cause.Message;
            _log.Error(failed.Cause, "HAProxy did not come up on the recovered state; retrying in [{Delay}]", _settings.SyncPeriod);
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
            _log.Warning("HAProxy was started again (master [{Pid}]); reconciling with what it serves", restarted.Pid);
            _haproxyPid = restarted.Pid;
            // It loaded the files on disk, which may lag route changes made at runtime.
            _appliedMaps = RouteMapsContent.Empty;
            _mapsDirty = true;
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
            else if (tick == Tick.RoundLog)
                LogRounds();
            else if (tick == Tick.Waiters)
                SettleWaiters();
            else
                Kick(); // the reload window opened, or the config file is due
        });

        Receive<Flush>(_ =>
        {
            LogRounds();
            _flushWaiters.Add(Sender);
            Timers.Cancel(ReconcileTimer);
            _reconcileWanted = false;
            _lastConfigWrite = DateTime.MinValue; // due now, if it lags
            Kick();
        });
        Receive<GetSyncStatus>(_ => Sender.Tell(Status()));
        Receive<Health.GetStartupStatus>(_ => Sender.Tell(StartupStatus()));
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
