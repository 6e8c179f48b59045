using Gateway.Actors.Haproxy;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;
using static Gateway.Actors.Tests.Sync.SyncStates;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// The sync's rounds as pure transitions of <see cref="SyncState"/>, without an actor system: a
/// change goes out at once when idle, piles up while a round is in flight and goes out with the
/// others in the next one; reloads wait for their window and for the round in flight; what a
/// failed round was to do is tried again.
/// </summary>
public class SyncStateSpecs
{
    [Fact]
    public void SyncState_should_send_a_change_at_once_when_idle()
    {
        var state = Ready(At("api", "10.0.0.1"));

        var (applying, round) = state.Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        Assert.Equal(SyncPhase.Applying, applying.Phase);
        Assert.False(round.Job.Reload);
        var step = Assert.Single(round.Job.Plan.Runtime);
        Assert.Equal(("api", 2L), (step.Backend, step.Version));
        Assert.Equal(["api/s1 → 10.0.0.2:8080 via s1:moving"], step.Moves.Select(m => $"{m.Backend}/{m.Target.Name} → {m.Target.IP}:{m.Target.Port} via {m.Twin}"));
    }

    [Fact]
    public void SyncState_should_batch_changes_that_arrive_while_applying_into_the_next_round()
    {
        var (applying, first) = Ready(At("a", "10.0.0.1"), At("b", "10.0.0.2"), At("c", "10.0.0.3"))
            .Take(Changed(At("a", "10.0.1.1"), 2), T0).NextRound(T0);

        var piled = applying.Take(Changed(At("b", "10.0.1.2"), 2), T0).Take(Changed(At("c", "10.0.1.3"), 2), T0);
        var (stillApplying, meanwhile) = piled.Next(T0, Settings);

        Assert.Null(meanwhile.Work);
        Assert.Equal(SyncPhase.Applying, stillApplying.Phase);
        var (next, second) = stillApplying.Completed(first, T0).NextRound(T0);
        Assert.Equal(["a"], first.RuntimeBackends());
        Assert.Equal(["b", "c"], second.RuntimeBackends());
        Assert.Equal(2, next.Applied["a"].Version);
        Assert.Equal(SyncPhase.Applying, next.Phase);
    }

    [Fact]
    public void SyncState_should_go_idle_when_a_round_completes_and_nothing_piled_up_and_write_the_config_at_most_once_an_interval()
    {
        var (applying, first) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var (writing, write) = applying.Completed(first, T0).NextRound(T0);
        Assert.True(write.Job.WriteConfig); // not written since the start
        var (again, second) = writing.Completed(write, T0).Take(Changed(At("api", "10.0.0.3"), 3), T0).NextRound(T0);

        var soon = T0.AddMilliseconds(100);
        var (idle, step) = again.Completed(second, soon).Next(soon, Settings);

        Assert.Equal(SyncPhase.Idle, idle.Phase);
        Assert.Null(step.Work);
        Assert.Empty(idle.Dirty);
        Assert.Equal(3, idle.Applied["api"].Version);
        Assert.True(idle.ConfigLags);
        Assert.Equal(Settings.ConfigWriteInterval, step.WriteConfigIn);
    }

    [Fact]
    public void SyncState_should_hold_a_reload_wanted_while_applying_until_the_round_in_flight_completes()
    {
        var (applying, runtime) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        var (stillApplying, meanwhile) = applying.Take(Changed(Backend("x"), 1), T0).Next(T0, Settings);
        Assert.Null(meanwhile.Work);

        var (reloading, reload) = stillApplying.Completed(runtime, T0).NextRound(T0);
        Assert.True(reload.Job.Reload);
        Assert.Equal("backend added: x", reload.Job.Plan.ReloadReason);
        Assert.Equal(["api", "x"], reload.Job.Target.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, reload.Job.Target["api"].Version);

        var (idle, _) = reloading.Completed(reload, T0).Next(T0, Settings);
        Assert.Equal(1, idle.Reloads);
        Assert.Equal("backend added: x", idle.LastReloadReason);
        Assert.Equal(SyncPhase.Idle, idle.Phase);
    }

    [Fact]
    public void SyncState_should_fall_back_to_a_reload_when_the_route_maps_fail_at_runtime()
    {
        var state = Ready([Route("", "/", "api"), Route("", "/v1", "api")], Backend("api"));
        var (applying, maps) = state.Take(new RoutesStateChanged(2, [Route("", "/", "api"), Route("", "/v2", "api")]), T0).NextRound(T0);
        Assert.False(maps.Job.Reload);
        Assert.NotNull(maps.Job.Plan.Maps);

        var failed = Succeeded(maps.Job) with { Maps = null, MapsError = "Unknown map identifier" };
        var (_, reload) = applying.Completed(maps, T0, failed).NextRound(T0);

        Assert.True(reload.Job.Reload);
        Assert.Null(reload.Job.Plan.Maps);
        Assert.Equal("route maps could not be changed at runtime", reload.Job.Plan.ReloadReason);
    }

    [Fact]
    public void SyncState_should_keep_a_reload_for_its_window_without_holding_back_runtime_changes()
    {
        var spaced = Settings with { MinReloadInterval = TimeSpan.FromSeconds(1) };
        var (reloading, first) = Ready(At("api", "10.0.0.1")).Take(Changed(Backend("x"), 1), T0).NextRound(T0);
        var state = reloading.Completed(first, T0).Take(Changed(Backend("y"), 1), T0).Take(Changed(At("api", "10.0.0.2"), 2), T0);

        var (applying, step) = state.Next(T0.AddMilliseconds(200), spaced);

        var runtime = Assert.IsType<SyncWork.Round>(step.Work);
        Assert.False(runtime.Job.Reload);
        Assert.Equal(["api"], runtime.RuntimeBackends());
        Assert.Empty(runtime.Job.Plan.Structural);
        Assert.Equal(TimeSpan.FromMilliseconds(800), step.ReloadIn);

        var (_, later) = applying.Completed(runtime, T0.AddMilliseconds(210)).Next(T0.AddSeconds(1), spaced);
        var reload = Assert.IsType<SyncWork.Round>(later.Work);
        Assert.True(reload.Job.Reload);
        Assert.Equal("backend added: y", reload.Job.Plan.ReloadReason);
    }

    [Fact]
    public void SyncState_should_leave_a_backend_whose_move_is_finishing_and_any_reload_until_it_is_done_but_not_the_other_backends()
    {
        var (applying, move) = Ready(At("api", "10.0.0.1"), At("web", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var moves = move.Job.Plan.Runtime.SelectMany(s => s.Moves).ToList();
        Assert.Single(moves);
        var finishing = applying.Completed(move, T0, Succeeded(move.Job) with { MovesToFinish = moves });
        var piled = finishing.Take(Changed(At("web", "10.0.0.2"), 2), T0).Take(Changed(Backend("z"), 1), T0).Take(Changed(At("api", "10.0.0.3"), 3), T0);

        var (others, step) = piled.Next(T0, Settings);

        var round = Assert.IsType<SyncWork.Round>(step.Work);
        Assert.False(round.Job.Reload); // z's reload waits: it would end the move half way
        Assert.Equal(["web"], round.RuntimeBackends());
        Assert.Null(step.ReloadIn);
        var (_, after) = others.Completed(round, T0).MovesFinished(new MovesOutcome(["api"], [], [], []), T0).Next(T0, Settings);
        var reload = Assert.IsType<SyncWork.Round>(after.Work);
        Assert.True(reload.Job.Reload);
        Assert.Equal(3, reload.Job.Target["api"].Version);
    }

    [Fact]
    public void SyncState_should_reload_a_backend_whose_move_haproxy_refused_to_finish()
    {
        var (applying, move) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var finishing = applying.Completed(move, T0, Succeeded(move.Job) with { MovesToFinish = move.Job.Plan.Runtime.SelectMany(s => s.Moves).ToList() });

        var (_, step) = finishing.MovesFinished(new MovesOutcome(["api"], [("api", "No such server.")], [], []), T0).Next(T0, Settings);

        var reload = Assert.IsType<SyncWork.Round>(step.Work);
        Assert.True(reload.Job.Reload);
    }

    [Fact]
    public void SyncState_should_try_again_what_a_failed_round_was_to_do()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        var failed = applying.WorkFailed("runtime socket closed", T0);

        Assert.Equal(SyncPhase.Idle, failed.Phase);
        Assert.Equal(new SyncError("runtime socket closed", T0), failed.LastError);
        Assert.Equal(1, failed.Applied["api"].Version);
        var (_, retry) = failed.NextRound(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(round.Job.Plan.Runtime.Single().Commands, retry.Job.Plan.Runtime.Single().Commands);
    }

    [Fact]
    public void SyncState_should_put_off_each_try_after_work_that_threw_longer_until_work_runs_to_its_end()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        // a fault that lasts (a full disk): tried again after 1, 2, 4, 8, 16, 30, 30 s, a change arriving meanwhile included
        var now = T0;
        var waits = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var failed = applying.WorkFailed("No space left on device", now);
            var (waiting, step) = failed.Take(Changed(At("api", $"10.0.1.{i}"), 3 + i), now).Next(now + TimeSpan.FromMilliseconds(500), Settings);
            Assert.Null(step.Work);
            waits.Add((step.RetryIn!.Value + TimeSpan.FromMilliseconds(500)).TotalSeconds);
            now = failed.RetryAt;
            (applying, round) = waiting.NextRound(now);
        }
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], waits);
        Assert.Equal(7, applying.FailedInARow);

        // a round that ran to its end: the next failure waits the shortest again
        var recovered = applying.Completed(round, now);
        Assert.Equal(0, recovered.FailedInARow);
        Assert.Equal(now + TimeSpan.FromSeconds(1), recovered.WorkFailed("again", now).RetryAt);
    }

    [Fact]
    public void SyncState_should_say_when_its_last_error_happened_and_keep_it_once_work_runs_again()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var failedAt = T0 + TimeSpan.FromSeconds(3);

        var failing = applying.WorkFailed("No space left on device", failedAt).ToStatus(TimeSpan.Zero);
        var (retrying, retry) = applying.WorkFailed("No space left on device", failedAt).NextRound(failedAt + TimeSpan.FromSeconds(1));
        var recovered = retrying.Completed(retry, failedAt + TimeSpan.FromSeconds(1)).ToStatus(TimeSpan.Zero);

        Assert.Equal(("No space left on device", failedAt, 1), (failing.LastError, failing.LastErrorAt, failing.ConsecutiveFailures));
        // history now: the same error and time, with no failure in a row
        Assert.Equal(("No space left on device", failedAt, 0), (recovered.LastError, recovered.LastErrorAt, recovered.ConsecutiveFailures));
        Assert.Equal(failedAt, retrying.ToSummary(TimeSpan.Zero).LastErrorAt);
        Assert.Null(Ready(At("api", "10.0.0.1")).ToStatus(TimeSpan.Zero).LastErrorAt);
    }

    [Fact]
    public void SyncState_should_say_why_a_wait_to_be_served_ran_out_while_it_fails()
    {
        var (applying, _) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        var failing = applying.WorkFailed("haproxy: No such file or directory", T0).WorkFailed("haproxy: No such file or directory", T0);

        Assert.Equal("timed out waiting for HAProxy to serve it", applying.WaitTimedOut());
        Assert.Equal("timed out waiting for HAProxy to serve it: the sync failed [2] times in a row, the last with: haproxy: No such file or directory",
            failing.WaitTimedOut());
    }

    [Fact]
    public void SyncState_should_show_its_times_on_the_wall_clock()
    {
        var (applying, _) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var failed = applying.WorkFailed("No space left on device", T0);
        var wallOffset = TimeSpan.FromHours(-1); // the machine's clock stepped an hour back since the node started

        var status = failed.ToStatus(wallOffset);

        Assert.Equal(T0 - TimeSpan.FromHours(1), status.LastErrorAt);
        Assert.Equal(failed.RetryAt - TimeSpan.FromHours(1), status.NextAttempt);
        Assert.Equal(T0 - TimeSpan.FromHours(1), failed.ToSummary(wallOffset).LastErrorAt);
    }

    [Fact]
    public void SyncState_should_end_a_run_of_failures_at_a_reconcile_only_when_no_change_waits()
    {
        var (applying, _) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var failed = applying.WorkFailed("No space left on device", T0);

        // the reconcile between two tries looks at HAProxy and repairs nothing: the change still waits
        Assert.Equal(1, failed.Reconciled(Reconciled(), T0 + TimeSpan.FromSeconds(1)).FailedInARow);
        // a reconcile that failed before, with nothing else to do
        Assert.Equal(0, (Ready(At("api", "10.0.0.1")) with { FailedInARow = 2, RetryAt = T0 }).Reconciled(Reconciled(), T0).FailedInARow);
    }

    [Fact]
    public void SyncState_should_not_hold_the_stop_for_work_that_threw()
    {
        var (applying, _) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        var (_, step) = applying.WorkFailed("No space left on device", T0).FlushAsked().Next(T0, Settings);

        Assert.NotNull(step.Work);
        Assert.Null(step.RetryIn);
    }

    [Fact]
    public void SyncState_should_reload_a_backend_whose_runtime_change_failed()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);
        var failed = Succeeded(round.Job) with { Applied = new Dictionary<string, VersionedBackend>(), RuntimeFailures = [("api", "No such server.")] };

        var (_, reload) = applying.Completed(round, T0, failed).NextRound(T0);

        Assert.True(reload.Job.Reload);
        Assert.Equal("runtime change failed: api", reload.Job.Plan.ReloadReason);
        Assert.Equal(2, reload.Job.Target["api"].Version);
    }

    [Fact]
    public void SyncState_should_refuse_the_backends_a_failed_reload_names_and_keep_their_last_good_version()
    {
        var (reloading, round) = Ready(Backend("api")).Take(Changed(Backend("x"), 1), T0).NextRound(T0);
        var refused = new SyncOutcome(new Dictionary<string, VersionedBackend>(), false, [], 0, RuntimeTally.None, null, null, [],
            Commit(CommitOutcome.Invalid, "invalid keyword"), ["x"], null);

        var (idle, step) = reloading.Completed(round, T0, refused).Next(T0, Settings);

        Assert.Null(step.Work); // not tried again until a newer version comes
        Assert.Equal(new Refusal(1, "invalid keyword"), idle.Refused["x"]);
        Assert.Equal("invalid keyword", idle.ToStatus(TimeSpan.Zero).Backends["x"].Error);
        Assert.Equal(new ApplyFailed("invalid keyword"), idle.Answer(new AwaitApplied("x", 1, TimeSpan.FromSeconds(1))));
        Assert.Equal(0, idle.Reloads);
    }

    [Fact]
    public void SyncState_should_reconcile_after_the_round_in_flight_when_one_came_due_meanwhile()
    {
        var (applying, round) = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.2"), 2), T0).NextRound(T0);

        var (due, meanwhile) = applying.ReconcileDue().Next(T0, Settings);
        Assert.Null(meanwhile.Work);

        var (reconciling, step) = due.Completed(round, T0).Next(T0, Settings);
        var reconcile = Assert.IsType<SyncWork.Reconcile>(step.Work);
        Assert.Equal(2, reconcile.Applied["api"].Version);
        Assert.Equal(SyncPhase.Reconciling, reconciling.Phase);
    }

    [Fact]
    public void SyncState_should_ignore_a_backend_version_older_than_one_it_has_seen()
    {
        var state = Ready(At("api", "10.0.0.1")).Take(Changed(At("api", "10.0.0.3"), 3), T0);

        var stale = state.Take(Changed(At("api", "10.0.0.2"), 2), T0);

        Assert.Same(state, stale);
        Assert.Equal(3, stale.Desired["api"].Version);
    }

    [Fact]
    public void SyncState_should_reload_servers_added_at_runtime_to_an_HTTP2_backend_into_the_configuration_after_the_settle_delay()
    {
        var grpc = Backend("grpc", Server("s1", "10.0.0.1")) with { Protocol = ServerProtocol.H2c };
        var moving = Backend("moving", Server("s1", "10.0.0.1")) with { Protocol = ServerProtocol.H2c };
        var state = Ready(grpc, moving, At("api", "10.0.0.1"))
            .Take(Changed(grpc with { Servers = [Server("s1", "10.0.0.1"), Server("s2", "10.0.0.2")] }, 2), T0)
            .Take(Changed(moving with { Servers = [Server("s1", "10.0.0.9")] }, 2), T0) // a move's twin leaves again: no reload for it
            .Take(Changed(Backend("api", Server("s1", "10.0.0.1"), Server("s2", "10.0.0.2")), 2), T0); // HTTP/1.1 keeps its connections

        var (idle, step) = state.Next(T0, Settings);
        while (step.Work is SyncWork.Round round)
        {
            Assert.False(round.Job.Reload);
            (idle, step) = idle.Completed(round, T0).Next(T0, Settings);
        }

        Assert.Equal(["grpc"], idle.Unsettled);
        Assert.Equal(Settings.SettleDelay, step.ReloadIn);
        var (notYet, early) = idle.Next(T0 + Settings.SettleDelay - TimeSpan.FromMilliseconds(1), Settings);
        Assert.Null(early.Work);
        var settledAt = T0 + Settings.SettleDelay;
        var (reloading, settle) = notYet.NextRound(settledAt);
        Assert.True(settle.Job.Reload);
        Assert.Equal(SyncState.SettleReason, settle.Job.Plan.ReloadReason);
        Assert.Equal(2, settle.Job.Target["grpc"].Backend.Servers.Count);
        var (settled, after) = reloading.Completed(settle, settledAt).Next(settledAt, Settings);
        Assert.Empty(settled.Unsettled);
        Assert.Null(after.Work);
        Assert.Null(after.ReloadIn);
        Assert.Equal(SyncState.SettleReason, settled.LastReloadReason);
    }

    [Fact]
    public void SyncState_should_try_a_settle_reload_that_failed_again_a_settle_delay_later()
    {
        var grpc = Backend("grpc", Server("s1", "10.0.0.1")) with { Protocol = ServerProtocol.H2 };
        var (applying, round) = Ready(grpc).Take(Changed(grpc with { Servers = [Server("s1", "10.0.0.1"), Server("s2", "10.0.0.2")] }, 2), T0)
            .NextRound(T0);
        var settledAt = T0 + Settings.SettleDelay;
        var (reloading, settle) = applying.Completed(round, T0).NextRound(settledAt);
        Assert.Equal(SyncState.SettleReason, settle.Job.Plan.ReloadReason);
        var failed = new SyncOutcome(new Dictionary<string, VersionedBackend>(), false, [], 0, RuntimeTally.None, null, null, [],
            Commit(CommitOutcome.ReloadFailed, "no new worker"), [], null);

        var (waiting, step) = reloading.Completed(settle, settledAt, failed).Next(settledAt, Settings);
        while (step.Work is SyncWork.Round write) // the config file, which lags the runtime change
        {
            Assert.False(write.Job.Reload);
            (waiting, step) = waiting.Completed(write, settledAt).Next(settledAt, Settings);
        }

        Assert.Null(step.Work);
        Assert.Equal(Settings.SettleDelay, step.ReloadIn);
        Assert.Equal(["grpc"], waiting.Unsettled);
        Assert.Empty(waiting.Refused);
        var (_, again) = waiting.NextRound(settledAt + Settings.SettleDelay);
        Assert.True(again.Job.Reload);
    }
}
