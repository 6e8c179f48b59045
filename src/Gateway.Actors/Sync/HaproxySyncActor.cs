using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>
/// Makes one HAProxy serve the desired state; one per node. Its knowledge is one immutable
/// <see cref="SyncState"/>, and each <see cref="SyncPhase"/> of it is one behaviour: recovering,
/// early-starting, starting up, idle, applying, reconciling, stopped. When idle, a change goes out
/// at once; while a round is in flight, changes pile up and the next round takes them all
/// (Akka.Cluster.Sharding's batch-while-waiting). Each round is planned by <see cref="SyncPlanner"/>:
/// server-level changes and route maps through the runtime API, structural ones through one config
/// transaction and one reload, at most one reload per <see cref="SyncSettings.MinReloadInterval"/>.
/// Every <see cref="SyncSettings.SyncPeriod"/> it reconciles with what HAProxy really serves. A
/// backend HAProxy refuses keeps its last good version and its error, without holding up others.
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

    private sealed record HaproxyRestarted(int Pid);
    private sealed class Tick
    {
        public static readonly Tick Reconcile = new(), ReloadWindow = new(), FlushConfig = new(), Waiters = new(), RetryStartup = new(),
            RoundLog = new(), RetryWork = new();
    }

    private const string ReconcileTimer = "reconcile", ReloadTimer = "reload-window", FlushTimer = "flush-config",
        WaitersTimer = "waiters", StartupTimer = "startup", RetryTimer = "retry";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SyncSettings _settings;
    private readonly IHaproxyClient _client;
    private readonly IActorRef _desiredState;
    private readonly ApplyWaiters _waiters = new();
    private readonly List<IActorRef> _flushWaiters = [];
    private SyncState _state = SyncState.Initial;

    /// <summary>
    /// The last summary and the state it was made from: the cluster asks every second, and hashing
    /// every backend's version each time is needless while the state has not changed (a new state is a new record).
    /// </summary>
    private (SyncState Of, SyncSummary Summary)? _summary;
    /// <summary>The phase whose behaviour is current: the actor switches only when the state's phase changes.</summary>
    private SyncPhase _behaviour = SyncPhase.Recovering;

    public HaproxySyncActor(SyncSettings settings, IHaproxyClient client, IActorRef desiredState)
    {
        _settings = settings;
        _client = client;
        _desiredState = desiredState;
        Recovering();
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
            Go(_state.StartEarly());
    }

    /// <summary>What every phase takes in: the desired state and its changes, ticks, the flush, and questions.</summary>
    private void ReceiveInputs()
    {
        ReceiveMovesDone();
        Receive<DesiredStateActor.Snapshot>(snapshot => Proceed(_state.Take(snapshot)));
        Receive<DesiredStateActor.Recovered>(recovered => Proceed(_state.Take(recovered.State)));
        Receive<BackendStateChanged>(changed => Proceed(_state.Take(changed, NodeClock.Machine.UtcNow)));
        Receive<RoutesStateChanged>(changed => Proceed(_state.Take(changed, NodeClock.Machine.UtcNow)));
        Receive<HaproxyRestarted>(restarted =>
        {
            _log.Warning("HAProxy was started again (master [{Pid}]); reconciling with what it serves", restarted.Pid);
            Proceed(_state.HaproxyRestarted(restarted.Pid));
        });
        Receive<Tick>(tick =>
        {
            if (tick == Tick.Reconcile)
                Proceed(_state.ReconcileDue());
            else if (tick == Tick.RoundLog)
                LogRounds();
            else if (tick == Tick.Waiters)
                SettleWaiters();
            else
                Proceed(_state); // the reload window opened, the config file is due, or the startup or failed work may be retried
        });
        Receive<Flush>(_ =>
        {
            LogRounds();
            _flushWaiters.Add(Sender);
            Timers.Cancel(ReconcileTimer);
            Proceed(_state.FlushAsked());
        });
        Receive<GetSyncStatus>(_ => Sender.Tell(_state.ToStatus(NodeClock.Machine.WallOffset)));
        Receive<GetSyncSummary>(_ =>
        {
            if (_summary is not { } known || !ReferenceEquals(known.Of, _state))
                _summary = (_state, _state.ToSummary(NodeClock.Machine.WallOffset));
            Sender.Tell(_summary.Value.Summary);
        });
        Receive<Health.GetStartupStatus>(_ => Sender.Tell(_state.ToStartupStatus()));
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

    /// <summary>Takes <paramref name="state"/> and starts what it says is due next.</summary>
    private void Proceed(SyncState state) => Go(state.Next(NodeClock.Machine.UtcNow, _settings));

    /// <summary>Takes the state, sets the timers and starts the work the step asks for, and switches behaviour if the phase changed.</summary>
    private void Go((SyncState State, SyncStep Step) next)
    {
        var (state, step) = next;
        _state = state;
        if (step.ReloadIn is { } reloadIn)
            Timers.StartSingleTimer(ReloadTimer, Tick.ReloadWindow, reloadIn);
        if (step.WriteConfigIn is { } writeIn)
            Timers.StartSingleTimer(FlushTimer, Tick.FlushConfig, writeIn);
        if (step.StartupRetryIn is { } retryIn)
            Timers.StartSingleTimer(StartupTimer, Tick.RetryStartup, retryIn);
        if (step.RetryIn is { } retryWorkIn)
            Timers.StartSingleTimer(RetryTimer, Tick.RetryWork, retryWorkIn);
        if (step.Work is { } work)
            Start(work);
        if (state.Phase != _behaviour)
        {
            _behaviour = state.Phase;
            Become(state.Phase switch
            {
                SyncPhase.Recovering => Recovering,
                SyncPhase.EarlyStarting => EarlyStarting,
                SyncPhase.StartingUp => StartingUp,
                SyncPhase.Idle => Idle,
                SyncPhase.Applying => Applying,
                SyncPhase.Reconciling => Reconciling,
                _ => (Action)Stopped,
            });
        }
    }

    private void Start(SyncWork work)
    {
        var (settings, client) = (_settings, _client);
        switch (work)
        {
            case SyncWork.EarlyStart:
                Run(ct => client.EnsureRunningAsync(ct), running => new EarlyStarted(running), e => new EarlyStartFailed(e));
                break;
            case SyncWork.StartUp startUp:
                _log.Info("Bringing HAProxy up on the recovered state: [{Backends}] backends, [{Routes}] routes", startUp.Desired.Count, startUp.Routes.Count);
                Run(ct => SyncStartup.RunAsync(startUp.Desired, startUp.Routes, settings, client, ct, startUp.AlreadyRunning),
                    o => new StartupDone(o, startUp.Desired), e => new StartupFailed(e));
                break;
            case SyncWork.Reconcile reconcile:
                Run(ct => SyncRound.ReconcileAsync(reconcile.Applied, client, _settings.MoveDrainWait, ct), o => new ReconcileDone(o), e => new WorkFailed(e));
                break;
            case SyncWork.Round round:
                Run(ct => SyncRound.RunAsync(round.Job, settings, client, ct), o => new RoundDone(round.Job, round.RoutesVersion, o), e => new WorkFailed(e));
                break;
            case SyncWork.Stop:
                foreach (var waiter in _flushWaiters)
                    waiter.Tell(Done.Instance);
                _flushWaiters.Clear();
                break;
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

    private void SettleWaiters()
    {
        _waiters.Settle(_state.Answer, _state.WaitTimedOut());
        if (_waiters.Any)
            Timers.StartSingleTimer(WaitersTimer, Tick.Waiters, TimeSpan.FromMilliseconds(50));
    }
}

/// <summary>Akka.Hosting registration of <see cref="HaproxySyncActor"/>; HAProxy is stopped (or left running) at coordinated shutdown.</summary>
public static class HaproxySyncActorHosting
{
    /// <summary>The sync's name under <c>/user</c>: other nodes ask it there whether they serve a change.</summary>
    public const string Name = "haproxy-sync";

    public static AkkaConfigurationBuilder AddHaproxySync(this AkkaConfigurationBuilder builder, SyncSettings settings,
        IHaproxyClient client) =>
        builder.WithActors((system, registry) =>
        {
            var sync = system.ActorOf(HaproxySyncActor.Props(settings, client, registry.Get<DesiredStateActor>()), Name);
            registry.Register<HaproxySyncActor>(sync);
            var shutdown = CoordinatedShutdown.Get(system);
            shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "flush-haproxy-config", async () =>
            {
                await sync.Ask<Done>(HaproxySyncActor.Flush.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                return Done.Instance;
            });
            shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stop-haproxy", async () =>
            {
                // A node removed from its cluster stops, and is restarted by its supervisor: its HAProxy serves on meanwhile.
                await client.StopAsync(leaveRunning: shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason, CancellationToken.None).ConfigureAwait(false);
                return Done.Instance;
            });
        });
}
