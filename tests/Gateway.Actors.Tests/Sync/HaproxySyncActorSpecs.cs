using Akka.Actor;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// The sync actor's plan as HAProxy sees it: server changes go out as runtime commands without a
/// reload, new backends as one reload, route changes as map replacements; it is ready only after
/// startup and the first reconcile, counts what it did, and answers those waiting for a version.
/// </summary>
public class HaproxySyncActorSpecs(ITestOutputHelper output) : HaproxySyncSpec(output)
{
    [Fact]
    public void HaproxySync_should_start_haproxy_on_the_recovered_state_without_a_reload()
    {
        var sync = StartReady(Backend("api"), Backend("web"));

        var startup = Assert.Single(Haproxy.Calls.OfType<FakeHaproxyClient.Commit>());
        Assert.False(startup.Reload);
        Assert.True(startup.Validate);
        Assert.Equal(["api", "web"], startup.Backends);
        Assert.Equal(1, Haproxy.EnsureRunningCalls);
        Assert.Equal(1, Applied(sync, "api"));
    }

    [Fact]
    public void HaproxySync_should_send_a_server_address_change_as_one_runtime_command_without_a_reload()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")));

        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.9", 9000))));

        AwaitApplied(sync, 2, "api");
        var batch = Assert.Single(Haproxy.RuntimeBatches);
        Assert.Equal(["set server api/s1 addr 10.0.0.9 port 9000"], batch.Commands);
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public async Task HaproxySync_should_ask_only_the_moving_backend_for_its_connections_when_a_few_of_those_served_move_and_all_at_once_when_more_do()
    {
        var others = Enumerable.Range(1, 5).Select(i => Backend($"b{i}", Server("s1", "10.0.0.1"))).ToArray();
        var sync = StartReady([Backend("api", Server("s1", "10.0.0.1")), .. others]);

        var held = Haproxy.HoldNextRuntimeBatch();
        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.9", 9000))));
        await Within(held.Entered);
        foreach (var backend in others.Skip(1))
            sync.Tell(new BackendStateChanged(backend.Name, 2, Backend(backend.Name, Server("s1", "10.0.0.9", 9000))));
        AssertDesired(sync, 2, "b2", "b3", "b4", "b5");
        held.Release();
        AwaitApplied(sync, 2, "api", "b2", "b3", "b4", "b5");

        var looks = Haproxy.Calls.OfType<FakeHaproxyClient.Execute>()
            .Where(e => e.Commands[0].StartsWith("show servers conn", StringComparison.Ordinal)).Select(e => e.Commands).ToList();
        Assert.Equal([["show servers conn api"], ["show servers conn"]], looks); // 1 of 6 served: a query; 4 of 6: the whole list
    }

    [Fact]
    public void HaproxySync_should_move_a_server_holding_connections_by_a_twin_at_its_new_address_and_finish_the_move_without_a_reload()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")));
        Haproxy.Connected.Add("api/s1");

        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.9", 9000))));

        AwaitApplied(sync, 2, "api");
        var batch = Assert.Single(Haproxy.RuntimeBatches);
        Assert.Equal(Twin("api", "s1", "10.0.0.9", 9000), batch.Commands);
        AwaitAssert(() => Assert.Single(Haproxy.Calls.OfType<FakeHaproxyClient.FinishMoves>())); // beside the rounds, after the twin's
        var finish = Assert.Single(Haproxy.Calls.OfType<FakeHaproxyClient.FinishMoves>());
        Assert.Equal(["api/s1 via s1:moving"], finish.Moves);
        Assert.True(batch.At <= finish.At, "the move is finished after its twin serves");
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public async Task HaproxySync_should_apply_other_backends_changes_while_a_move_waits_for_requests_in_flight()
    {
        // HAProxy holds a move's finishing while requests to the old address are in flight (up to MoveDrainWait):
        // that backend waits for it, the other backends do not
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")), Backend("web", Server("s1", "10.0.0.1")));
        Haproxy.Connected.Add("api/s1");
        var held = Haproxy.HoldNextFinishMoves();
        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.9", 9000))));
        await Within(held.Entered);

        sync.Tell(new BackendStateChanged("web", 2, Backend("web", Server("s1", "10.0.0.8", 9000))));
        sync.Tell(new BackendStateChanged("api", 3, Backend("api", Server("s1", "10.0.0.9", 9000, weight: 5))));

        AwaitApplied(sync, 2, "web");
        AwaitApplied(sync, 2, "api"); // its twin serves at the new address
        Assert.Empty(Haproxy.Calls.OfType<FakeHaproxyClient.FinishMoves>()); // still held
        Assert.DoesNotContain(Haproxy.RuntimeBatches, b => b.Commands.Any(c => c.Contains("weight", StringComparison.Ordinal)));
        Assert.Equal(["api"], (await sync.Ask<SyncStatus>(GetSyncStatus.Instance, TimeSpan.FromSeconds(5))).FinishingMoves); // /api/status says so
        held.Release();
        AwaitApplied(sync, 3, "api"); // once its move is finished
        Assert.Empty((await sync.Ask<SyncStatus>(GetSyncStatus.Instance, TimeSpan.FromSeconds(5))).FinishingMoves);
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public void HaproxySync_should_move_back_a_server_holding_connections_it_finds_at_another_address_by_a_twin()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")));
        Haproxy.SetLive(Backend("api", Server("s1", "10.0.0.66", 9999)));
        Haproxy.Connected.Add("api/s1");

        Haproxy.RaiseRestarted(5152);

        Eventually(() => Haproxy.Calls.OfType<FakeHaproxyClient.FinishMoves>().Any());
        Assert.Equal(Twin("api", "s1", "10.0.0.1", 8080), Assert.Single(Haproxy.RuntimeBatches).Commands);
        Assert.Equal(["api/s1 via s1:moving"], Haproxy.Calls.OfType<FakeHaproxyClient.FinishMoves>().Single().Moves);
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public void HaproxySync_should_reload_exactly_once_with_its_reason_when_a_backend_is_added()
    {
        var sync = StartReady(Backend("api"));

        sync.Tell(new BackendStateChanged("web", 1, Backend("web", Server("w1", "10.0.1.1"))));

        AwaitApplied(sync, 1, "web");
        var reload = Assert.Single(Haproxy.Reloads);
        Assert.Equal("backend added: web", reload.Reason);
        Assert.Equal(["api", "web"], reload.Backends);
        Assert.Contains("\nbackend web\n", reload.Config.Config);
        Assert.Empty(Haproxy.RuntimeBatches);
    }

    [Fact]
    public void HaproxySync_should_remove_a_deleted_server_gracefully_without_a_reload()
    {
        var sync = StartReady(Backend("api", Server("s1"), Server("s2", "10.0.0.2")));

        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1"))));

        AwaitApplied(sync, 2, "api");
        Eventually(() => Haproxy.Calls.OfType<FakeHaproxyClient.RemoveServer>().Any());
        var removal = Assert.Single(Haproxy.Calls.OfType<FakeHaproxyClient.RemoveServer>());
        Assert.Equal(("api", "s2"), (removal.Backend, removal.Server));
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public void HaproxySync_should_replace_the_route_maps_at_runtime_when_only_routes_change()
    {
        var sync = StartSync([Backend("api"), Backend("web")], [Route("old.example.com", "/x", "api"), Route("", "/old", "web")]);
        AwaitReady(sync);

        sync.Tell(new RoutesStateChanged(2, [Route("api.example.com", "/v1", "api"), Route("", "/", "web"), Route("", "/new", "api")]));
        sync.Tell(new AwaitRoutesApplied(2, TimeSpan.FromSeconds(5)));

        ExpectMsg(new AppliedOk(2));
        var maps = Haproxy.Calls.OfType<FakeHaproxyClient.ReplaceMap>().GroupBy(m => m.Map).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal([new("api.example.com/v1/", "api")], maps[Haproxy.Layout.HostPathMap].Entries);
        Assert.Equal([new("/new/", "api"), new("/", "web")], maps[Haproxy.Layout.PathMap].Entries);
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public void HaproxySync_should_serve_routes_that_need_another_lookup_by_a_reload_and_answer_the_wait_after_it()
    {
        var sync = StartSync([Backend("api"), Backend("web")], [Route("", "/", "web")]);
        AwaitReady(sync);

        sync.Tell(new RoutesStateChanged(2, [Route("", "/", "web"), Route("api.example.com", "", "api")]));
        sync.Tell(new AwaitRoutesApplied(2, TimeSpan.FromSeconds(5)));

        ExpectMsg(new AppliedOk(2));
        var reload = Assert.Single(Haproxy.Reloads);
        Assert.Equal("route lookup changed: catch-all web → host, catch-all web", reload.Reason);
        Assert.Contains("api.example.com/ api", reload.Config.HostPathMap);
        // HAProxy knows no map its frontend does not look up: the host map came with the reload only.
        Assert.DoesNotContain(Haproxy.Calls.OfType<FakeHaproxyClient.ReplaceMap>(), m => m.Map == Haproxy.Layout.HostPathMap);
    }

    [Fact]
    public async Task HaproxySync_should_be_ready_only_after_startup_and_the_first_reconcile()
    {
        var held = Haproxy.HoldNextShowServersState();
        var sync = StartSync([Backend("api")]);

        await Within(held.Entered);
        var during = Status(sync);
        held.Release();

        Assert.False(during.Ready);
        Assert.Equal(1, Haproxy.EnsureRunningCalls);
        AwaitReady(sync);
    }

    [Fact]
    public void HaproxySync_should_not_be_ready_before_the_desired_state_has_recovered()
    {
        var sync = Sys.ActorOf(Gateway.Actors.Sync.HaproxySyncActor.Props(Settings(), Haproxy, Desired));
        Desired.ExpectMsg<Gateway.Actors.DesiredState.DesiredStateActor.Subscribe>();

        Desired.Reply(new Gateway.Actors.DesiredState.DesiredStateActor.Snapshot(
            System.Collections.Immutable.ImmutableDictionary<string, VersionedBackend>.Empty, 0, [], Recovered: false));

        Assert.False(Status(sync).Ready);
        Assert.Empty(Haproxy.Calls);
        Assert.Equal(0, Haproxy.EnsureRunningCalls);
    }

    [Fact]
    public void HaproxySync_should_count_its_reloads_and_runtime_commands_in_its_status()
    {
        var sync = StartReady(Backend("api", Server("s1")));
        var before = Status(sync);

        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.5", weight: 7))));
        AwaitApplied(sync, 2, "api");
        sync.Tell(new BackendStateChanged("web", 1, Backend("web")));
        AwaitApplied(sync, 1, "web");

        var after = Status(sync);
        Assert.Equal((0, 0), (before.Reloads, before.RuntimeCommands));
        Assert.True(after.Ready);
        Assert.Equal(1, after.Reloads);
        Assert.Equal(2, after.RuntimeCommands); // set server addr, set weight
        Assert.Equal("backend added: web", after.LastReloadReason);
        Assert.Equal(Haproxy.Reloads[^1].Config.Hash, after.ConfigHash);
        Assert.Equal(4242, after.HaproxyPid);
    }

    [Fact]
    public void HaproxySync_should_answer_a_waiter_once_the_version_it_waits_for_is_applied()
    {
        var sync = StartReady(Backend("api", Server("s1")));

        sync.Tell(new AwaitApplied("api", 2, TimeSpan.FromSeconds(5)));
        sync.Tell(new AwaitApplied("api", 1, TimeSpan.FromSeconds(5)));
        ExpectMsg(new AppliedOk(1));
        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.8"))));

        ExpectMsg(new AppliedOk(2));
    }

    [Fact]
    public void HaproxySync_should_answer_a_waiter_for_a_deleted_backend_once_haproxy_no_longer_has_it()
    {
        var sync = StartReady(Backend("api"), Backend("web"));

        sync.Tell(new BackendStateChanged("web", 2, null));
        sync.Tell(new AwaitApplied("web", 2, TimeSpan.FromSeconds(5)));

        ExpectMsg(new AppliedOk(2));
        Assert.Equal("backend removed: web", Assert.Single(Haproxy.Reloads).Reason);
        Assert.Equal(["api"], Haproxy.Reloads[0].Backends);
    }

    [Fact]
    public void HaproxySync_should_fail_a_waiter_whose_deadline_passes()
    {
        var sync = StartReady(Backend("api"));

        sync.Tell(new AwaitApplied("api", 9, TimeSpan.FromMilliseconds(100)));

        Assert.Contains("timed out", ExpectMsg<ApplyFailed>().Reason);
    }

    [Fact]
    public void HaproxySync_should_reconcile_when_haproxy_was_restarted_and_set_back_a_server_it_serves_differently()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")));
        Haproxy.SetLive(Backend("api", Server("s1", "10.0.0.66", 9999)));

        Haproxy.RaiseRestarted(5150);

        Eventually(() => Haproxy.RuntimeBatches.Count > 0);
        Assert.Equal(["set server api/s1 addr 10.0.0.1 port 8080"], Assert.Single(Haproxy.RuntimeBatches).Commands);
        Assert.Equal(5150, Status(sync).HaproxyPid);
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public void HaproxySync_should_reload_a_backend_haproxy_lost_when_it_reconciles()
    {
        var sync = StartReady(Backend("api"), Backend("web"));
        Haproxy.SetLive(Backend("api"));

        Haproxy.RaiseRestarted(5151);

        Eventually(() => Haproxy.Reloads.Count > 0);
        Assert.Equal(["api", "web"], Assert.Single(Haproxy.Reloads).Backends);
        AwaitApplied(sync, 1, "web");
    }

    [Fact]
    public async Task HaproxySync_should_flush_after_the_round_in_flight_write_the_config_and_start_no_round_after()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")));
        var held = Haproxy.HoldNextRuntimeBatch();
        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.2"))));
        await Within(held.Entered);

        sync.Tell(HaproxySyncActor.Flush.Instance);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // not while the round is in flight
        held.Release();

        ExpectMsg<Akka.Done>();
        var written = Haproxy.Calls.OfType<FakeHaproxyClient.Commit>().Last();
        Assert.False(written.Reload);
        Assert.Contains("10.0.0.2:8080", written.Config.Config);

        // the node stops HAProxy next: a change that comes now is in the journal, not sent
        var calls = Haproxy.Calls.Count;
        sync.Tell(new BackendStateChanged("api", 3, Backend("api", Server("s1", "10.0.0.3"))));
        AssertDesired(sync, 3, "api");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(calls, Haproxy.Calls.Count);
    }
}
