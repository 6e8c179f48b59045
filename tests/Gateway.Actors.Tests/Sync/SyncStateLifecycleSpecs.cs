using System.Collections.Immutable;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Sync;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;
using static Gateway.Actors.Tests.Sync.SyncStates;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// How <see cref="SyncState"/> brings HAProxy up and stops, as pure transitions: the startup waits
/// for the recovered state (and for an early start in flight), a failed one is retried after the
/// sync period, the first reconcile makes the node ready, and a flush finishes the work in flight,
/// writes the config once, and stops.
/// </summary>
public class SyncStateLifecycleSpecs
{
    [Fact]
    public void SyncState_should_start_up_once_the_desired_state_has_recovered()
    {
        var (recovering, nothing) = SyncState.Initial.Take(Snapshot(recovered: false, Backend("api"))).Next(T0, Settings);
        Assert.Null(nothing.Work);
        Assert.Equal("the desired state, before HAProxy is brought up on it", recovering.ToStartupStatus().WaitingFor);

        var (starting, step) = recovering.Take(Snapshot(recovered: true, Backend("api"), Backend("web"))).Next(T0, Settings);

        var startUp = Assert.IsType<SyncWork.StartUp>(step.Work);
        Assert.Equal(["api", "web"], startUp.Desired.Keys.Order(StringComparer.Ordinal));
        Assert.False(startUp.AlreadyRunning);
        Assert.Equal(SyncPhase.StartingUp, starting.Phase);
    }

    [Fact]
    public void SyncState_should_start_up_after_an_early_start_in_flight_on_the_haproxy_it_started()
    {
        var (early, step) = SyncState.Initial.StartEarly();
        Assert.IsType<SyncWork.EarlyStart>(step.Work);

        var (stillEarly, meanwhile) = early.Take(Snapshot(recovered: true, Backend("api"))).Next(T0, Settings);
        Assert.Null(meanwhile.Work);
        Assert.Equal(SyncPhase.EarlyStarting, stillEarly.Phase);

        var (starting, startUp) = stillEarly.EarlyStarted(Running).Next(T0, Settings);
        Assert.True(Assert.IsType<SyncWork.StartUp>(startUp.Work).AlreadyRunning);
        Assert.Equal(Running.MasterPid, starting.ToStatus(TimeSpan.Zero).HaproxyPid);
    }

    [Fact]
    public void SyncState_should_retry_a_failed_startup_after_the_sync_period_and_not_before()
    {
        var (starting, _) = SyncState.Initial.Take(Snapshot(recovered: true, Backend("api"))).Next(T0, Settings);

        var failed = starting.StartupFailed("haproxy: cannot bind", T0, Settings);
        var (waiting, wait) = failed.Take(Changed(Backend("api"), 2), T0.AddSeconds(1)).Next(T0.AddSeconds(1), Settings);

        Assert.Null(wait.Work);
        Assert.Equal(TimeSpan.FromSeconds(4), wait.StartupRetryIn);
        Assert.Equal(SyncPhase.Recovering, waiting.Phase);
        Assert.Contains("(last error: haproxy: cannot bind)", waiting.ToStartupStatus().WaitingFor);
        var (_, retry) = waiting.Next(T0 + Settings.SyncPeriod, Settings);
        Assert.Equal(2, Assert.IsType<SyncWork.StartUp>(retry.Work).Desired["api"].Version);
    }

    [Fact]
    public void SyncState_should_reconcile_first_after_the_startup_and_be_ready_after_it()
    {
        var (starting, step) = SyncState.Initial.Take(Snapshot(recovered: true, Backend("api"))).Next(T0, Settings);
        var desired = Assert.IsType<SyncWork.StartUp>(step.Work).Desired;
        var outcome = new StartupOutcome(desired, ImmutableDictionary<string, string>.Empty, Running, Commit(CommitOutcome.Written), null, default);

        var (reconciling, reconcile) = starting.Started(outcome, desired, T0).Next(T0, Settings);

        Assert.IsType<SyncWork.Reconcile>(reconcile.Work);
        Assert.False(reconciling.Ready);
        Assert.Equal("the first reconcile with what HAProxy serves", reconciling.ToStartupStatus().WaitingFor);
        var ready = reconciling.Reconciled(Reconciled(), T0);
        Assert.True(ready.Ready);
        Assert.True(ready.ToStatus(TimeSpan.Zero).Ready);
        Assert.Null(ready.ToStartupStatus().WaitingFor);
    }

    [Fact]
    public void SyncState_should_reload_the_backends_a_reconcile_finds_missing()
    {
        var (reconciling, _) = Ready(Backend("api"), Backend("web")).ReconcileDue().Next(T0, Settings);

        var (_, reload) = reconciling.Reconciled(Reconciled("web"), T0).NextRound(T0);

        Assert.True(reload.Job.Reload);
        Assert.Equal("backend added: web", reload.Job.Plan.ReloadReason);
    }

    [Fact]
    public void SyncState_should_settle_servers_a_reconcile_put_back_on_an_HTTP2_backend_by_a_reload_after_the_settle_delay()
    {
        var grpc = Backend("grpc", Server("s1", "10.0.0.1")) with { Protocol = ServerProtocol.H2c };
        var (reconciling, _) = Ready(grpc).ReconcileDue().Next(T0, Settings);

        var (waiting, step) = reconciling.Reconciled(Reconciled() with { Unsettled = ["grpc"] }, T0).Next(T0, Settings);

        Assert.Null(step.Work);
        Assert.Equal(Settings.SettleDelay, step.ReloadIn);
        Assert.Equal(["grpc"], waiting.Unsettled);
        var (_, settle) = waiting.NextRound(T0 + Settings.SettleDelay);
        Assert.True(settle.Job.Reload);
        Assert.Equal(SyncState.SettleReason, settle.Job.Plan.ReloadReason);
    }

    [Fact]
    public void SyncState_should_finish_the_round_in_flight_write_the_config_and_stop_when_flushed_while_applying()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        var (flushing, meanwhile) = applying.FlushAsked().Next(T0, Settings);
        Assert.Null(meanwhile.Work); // not while the round is in flight
        Assert.False(flushing.ReconcileWanted);

        var (writing, write) = flushing.Completed(round, T0).NextRound(T0);
        Assert.True(write.Job.WriteConfig); // the config lags the round's runtime change
        Assert.False(write.Job.Plan.HasRuntimeWork);

        var (stopped, stop) = writing.Completed(write, T0).Next(T0, Settings);
        Assert.IsType<SyncWork.Stop>(stop.Work);
        Assert.Equal(SyncPhase.Stopped, stopped.Phase);

        var (after, nothing) = stopped.Take(Changed(At("api", "10.0.0.3"), 3), T0).ReconcileDue().Next(T0, Settings);
        Assert.Null(nothing.Work);
        Assert.Equal(3, after.ToStatus(TimeSpan.Zero).Backends["api"].Desired);
    }

    [Fact]
    public void SyncState_should_stop_after_one_config_write_even_if_it_failed()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var (writing, write) = applying.FlushAsked().Completed(round, T0).NextRound(T0);

        var failed = Succeeded(write.Job) with { Written = Commit(CommitOutcome.Invalid, "disk full") };
        var (stopped, stop) = writing.Completed(write, T0, failed).Next(T0, Settings);

        Assert.IsType<SyncWork.Stop>(stop.Work);
        Assert.True(stopped.ConfigLags);
        Assert.Equal(new SyncError("disk full", T0), stopped.LastError);
    }

    [Fact]
    public void SyncState_should_stop_at_once_and_never_start_up_when_flushed_before_haproxy_is_up()
    {
        var (stopped, stop) = SyncState.Initial.FlushAsked().Next(T0, Settings);
        Assert.IsType<SyncWork.Stop>(stop.Work);

        var (after, nothing) = stopped.Take(Snapshot(recovered: true, Backend("api"))).Next(T0, Settings);

        Assert.Null(nothing.Work);
        Assert.Equal(SyncPhase.Stopped, after.Phase);
    }

    [Fact]
    public void SyncState_should_stop_once_an_early_start_in_flight_ends_when_flushed_meanwhile()
    {
        var (early, _) = SyncState.Initial.StartEarly();

        var (flushing, meanwhile) = early.Take(Snapshot(recovered: true, Backend("api"))).FlushAsked().Next(T0, Settings);
        Assert.Null(meanwhile.Work);

        var (stopped, stop) = flushing.EarlyStarted(Running).Next(T0, Settings);
        Assert.IsType<SyncWork.Stop>(stop.Work);
        Assert.Equal(SyncPhase.Stopped, stopped.Phase);
    }
}
