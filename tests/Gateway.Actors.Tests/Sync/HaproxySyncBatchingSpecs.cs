using Akka.Actor;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// Batch while waiting: changes that arrive while a round is in flight pile up and go out together
/// in the next round — one runtime batch, one reload — and reloads are spaced by
/// <see cref="Gateway.Actors.Sync.SyncSettings.MinReloadInterval"/> without holding back runtime changes.
/// </summary>
public class HaproxySyncBatchingSpecs(ITestOutputHelper output) : HaproxySyncSpec(output)
{
    private static Backend Moved(string name, string ip) => Backend(name, Server("s1", ip));

    [Fact]
    public async Task HaproxySync_should_send_changes_that_arrive_during_a_runtime_batch_together_in_the_next_one()
    {
        var sync = StartReady(Moved("a", "10.0.0.1"), Moved("b", "10.0.0.2"), Moved("c", "10.0.0.3"), Moved("d", "10.0.0.4"));
        var held = Haproxy.HoldNextRuntimeBatch();
        sync.Tell(new BackendStateChanged("a", 2, Moved("a", "10.0.1.1")));
        await Within(held.Entered);

        sync.Tell(new BackendStateChanged("b", 2, Moved("b", "10.0.1.2")));
        sync.Tell(new BackendStateChanged("c", 2, Moved("c", "10.0.1.3")));
        sync.Tell(new BackendStateChanged("d", 2, Moved("d", "10.0.1.4")));
        AssertDesired(sync, 2, "b", "c", "d");
        held.Release();

        AwaitApplied(sync, 2, "a", "b", "c", "d");
        var batches = Haproxy.RuntimeBatches;
        Assert.Equal(2, batches.Count);
        Assert.Equal(["set server a/s1 addr 10.0.1.1 port 8080"], batches[0].Commands);
        Assert.Equal(
            ["set server b/s1 addr 10.0.1.2 port 8080", "set server c/s1 addr 10.0.1.3 port 8080", "set server d/s1 addr 10.0.1.4 port 8080"],
            batches[1].Commands.Order(StringComparer.Ordinal));
        Assert.Empty(Haproxy.Reloads);
    }

    [Fact]
    public async Task HaproxySync_should_send_backends_added_during_a_reload_together_in_one_second_reload()
    {
        var sync = StartReady(Backend("api"));
        var held = Haproxy.HoldNextReload();
        sync.Tell(new BackendStateChanged("x", 1, Backend("x")));
        await Within(held.Entered);

        sync.Tell(new BackendStateChanged("y", 1, Backend("y")));
        sync.Tell(new BackendStateChanged("z", 1, Backend("z")));
        AssertDesired(sync, 1, "y", "z");
        held.Release();

        AwaitApplied(sync, 1, "x", "y", "z");
        var reloads = Haproxy.Reloads;
        Assert.Equal(2, reloads.Count);
        Assert.Equal("backend added: x", reloads[0].Reason);
        Assert.Equal(["api", "x"], reloads[0].Backends);
        Assert.Equal(["backend added: y", "backend added: z"], reloads[1].Reason.Split(", ").Order(StringComparer.Ordinal));
        Assert.Equal(["api", "x", "y", "z"], reloads[1].Backends);
    }

    [Fact]
    public async Task HaproxySync_should_space_reloads_by_the_minimum_interval_without_holding_back_runtime_changes()
    {
        var interval = TimeSpan.FromMilliseconds(500);
        var sync = StartSync([Moved("api", "10.0.0.1")], settings: Settings(minReloadInterval: interval));
        AwaitReady(sync);
        var held = Haproxy.HoldNextReload();
        sync.Tell(new BackendStateChanged("x", 1, Backend("x")));
        await Within(held.Entered);

        sync.Tell(new BackendStateChanged("y", 1, Backend("y")));
        sync.Tell(new BackendStateChanged("api", 2, Moved("api", "10.0.0.2")));
        AssertDesired(sync, 1, "y");
        held.Release();

        AwaitApplied(sync, 2, "api");
        var afterRuntime = Haproxy.Now;
        var runtime = Assert.Single(Haproxy.RuntimeBatches);
        AwaitApplied(sync, 1, "x", "y");
        var reloads = Haproxy.Reloads;
        Assert.Equal(2, reloads.Count);
        Assert.Equal(["api", "x"], reloads[0].Backends);
        Assert.Equal(["api", "x", "y"], reloads[1].Backends);
        Assert.Equal("backend added: y", reloads[1].Reason);
        Assert.True(reloads[1].At - reloads[0].At >= interval - TimeSpan.FromMilliseconds(20),
            $"second reload {(reloads[1].At - reloads[0].At).TotalMilliseconds} ms after the first");
        Assert.Equal(["set server api/s1 addr 10.0.0.2 port 8080"], runtime.Commands);
        Assert.True(afterRuntime < reloads[1].At, "the runtime change waited for the reload window");
    }

    [Fact]
    public void HaproxySync_should_give_a_burst_of_new_backends_one_reload_once_changes_pause()
    {
        var sync = StartSync([Backend("api")], settings: Settings(quietPeriod: TimeSpan.FromMilliseconds(300)));
        AwaitReady(sync);

        // A burst: each change arrives well within the quiet period of the one before.
        for (var i = 0; i < 20; i++)
            sync.Tell(new BackendStateChanged($"new{i:D2}", 1, Backend($"new{i:D2}")));

        AwaitApplied(sync, 1, Enumerable.Range(0, 20).Select(i => $"new{i:D2}").ToArray());
        var reload = Assert.Single(Haproxy.Reloads);
        Assert.Equal(21, reload.Backends.Count);
        Assert.EndsWith("(+17 more)", reload.Reason);
    }
}
