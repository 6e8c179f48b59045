using Akka.Actor;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// When HAProxy says no: a runtime command that fails falls back to a reload of that backend; a
/// configuration refused by <c>haproxy -c</c> is blamed on the backend whose section the error
/// points into, which keeps its last good version (or stays out) with its error shown, while
/// other backends' changes still go out.
/// </summary>
public class HaproxySyncFailureSpecs(ITestOutputHelper output) : HaproxySyncSpec(output)
{
    /// <summary>haproxy -c's verdict on a config that holds <paramref name="marker"/> in backend <paramref name="backend"/>: an error on the line after its header.</summary>
    private static CommitResult? RefuseIn(RenderedConfig config, string backend, string marker)
    {
        var lines = config.Config.Split('\n');
        var header = Array.IndexOf(lines, $"backend {backend}");
        if (header < 0)
            return null;
        var section = lines.Skip(header + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal));
        if (!section.Any(l => l.Contains(marker, StringComparison.Ordinal)))
            return null;
        var error = new ConfigError("/tmp/haproxy.cfg.new", header + 2, $"parsing [haproxy.cfg:{header + 2}] : '{marker}' refused");
        return new CommitResult(CommitOutcome.Invalid, config.Hash, [error], TimeSpan.Zero, TimeSpan.Zero, null);
    }

    [Fact]
    public void HaproxySync_should_reload_a_backend_whose_runtime_command_failed()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")), Backend("web"));
        Haproxy.FailCommand = c => c.Text.StartsWith("set server api/s1 addr", StringComparison.Ordinal)
            ? RuntimeReply.Failed(c, "No such server.")
            : null;

        sync.Tell(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.2"))));

        AwaitApplied(sync, 2, "api");
        Assert.Single(Haproxy.RuntimeBatches);
        var reload = Assert.Single(Haproxy.Reloads);
        Assert.Equal("runtime change failed: api", reload.Reason);
        Assert.Contains("server s1 10.0.0.2:8080", reload.Config.Config);
        Assert.Equal(1, Status(sync).Reloads);
    }

    [Fact]
    public void HaproxySync_should_leave_out_a_new_backend_haproxy_refuses_and_still_apply_other_backends()
    {
        var sync = StartReady(Backend("good"));
        Haproxy.RefuseCommit = (config, _) => RefuseIn(config, "bad", "server");

        sync.Tell(new BackendStateChanged("bad", 1, Backend("bad")));
        Eventually(() => Status(sync).Backends.TryGetValue("bad", out var b) && b.Error is not null);
        sync.Tell(new BackendStateChanged("good", 2, Backend("good") with { Balance = BalanceAlgorithm.LeastConn }));

        AwaitApplied(sync, 2, "good");
        var reloads = Haproxy.Reloads;
        Assert.Equal(2, reloads.Count);
        Assert.Equal(CommitOutcome.Invalid, reloads[0].Result.Outcome);
        Assert.DoesNotContain("\nbackend bad\n", reloads[1].Config.Config);
        Assert.Equal(["good"], reloads[1].Backends);
        var status = Status(sync);
        Assert.Null(status.Backends["bad"].Applied);
        Assert.Equal(1, status.Backends["bad"].Desired);
        Assert.Contains("refused", status.Backends["bad"].Error);
        Assert.Null(status.Backends["good"].Error);
        Assert.Equal(1, status.Reloads);
    }

    [Fact]
    public void HaproxySync_should_keep_a_refused_backend_at_its_last_good_version()
    {
        var sync = StartReady(Backend("good"), Backend("bad", Server("s1", "10.0.0.1")));
        Haproxy.RefuseCommit = (config, _) => RefuseIn(config, "bad", "balance leastconn");

        sync.Tell(new BackendStateChanged("bad", 2, Backend("bad", Server("s1", "10.0.0.1")) with { Balance = BalanceAlgorithm.LeastConn }));
        Eventually(() => Status(sync).Backends["bad"].Error is not null);
        sync.Tell(new BackendStateChanged("other", 1, Backend("other")));

        AwaitApplied(sync, 1, "other");
        var next = Haproxy.Reloads[^1];
        Assert.True(next.Result.Succeeded);
        Assert.Equal(["bad", "good", "other"], next.Backends);
        Assert.Equal(["balance roundrobin"], Section(next.Config.Config, "backend bad").Where(l => l.StartsWith("balance", StringComparison.Ordinal)));
        var bad = Status(sync).Backends["bad"];
        Assert.Equal((2L, 1L), (bad.Desired, bad.Applied!.Value));
        Assert.NotNull(bad.Error);
    }

    [Fact]
    public void HaproxySync_should_answer_a_waiter_with_the_error_when_haproxy_refuses_the_version()
    {
        var sync = StartReady(Backend("good"));
        Haproxy.RefuseCommit = (config, _) => RefuseIn(config, "bad", "server");

        sync.Tell(new AwaitApplied("bad", 1, TimeSpan.FromSeconds(5)));
        sync.Tell(new BackendStateChanged("bad", 1, Backend("bad")));

        Assert.Contains("refused", ExpectMsg<ApplyFailed>().Reason);
        sync.Tell(new AwaitApplied("good", 1, TimeSpan.FromSeconds(5)));
        ExpectMsg(new AppliedOk(1));
    }

    [Fact]
    public async Task HaproxySync_should_try_a_fix_that_arrived_while_the_refused_version_was_being_reloaded()
    {
        var sync = StartReady(Backend("good"));
        Haproxy.RefuseCommit = (config, _) => RefuseIn(config, "bad", "10.6.6.6");
        var held = Haproxy.HoldNextReload();
        sync.Tell(new BackendStateChanged("bad", 1, Backend("bad", Server("s1", "10.6.6.6"))));
        await Within(held.Entered);

        // the operator fixes it while HAProxy is still checking the broken version
        sync.Tell(new BackendStateChanged("bad", 2, Backend("bad", Server("s1", "10.0.0.2"))));
        AssertDesired(sync, 2, "bad");
        held.Release();

        AwaitApplied(sync, 2, "bad");
        var reloads = Haproxy.Reloads;
        Assert.Equal(2, reloads.Count);
        Assert.Equal(CommitOutcome.Invalid, reloads[0].Result.Outcome);
        Assert.Contains("server s1 10.0.0.2:8080", reloads[1].Config.Config);
        Assert.Null(Status(sync).Backends["bad"].Error);
    }

    [Fact]
    public async Task HaproxySync_should_try_a_fix_that_arrived_while_startup_was_refusing_the_broken_version()
    {
        Haproxy.RefuseCommit = (config, _) => RefuseIn(config, "bad", "10.6.6.6");
        var held = Haproxy.HoldNextCommit();
        var sync = StartSync([Backend("good"), Backend("bad", Server("s1", "10.6.6.6"))]);
        await Within(held.Entered);

        sync.Tell(new BackendStateChanged("bad", 2, Backend("bad", Server("s1", "10.0.0.2"))));
        AssertDesired(sync, 2, "bad");
        held.Release();

        AwaitReady(sync);
        AwaitApplied(sync, 2, "bad");
        var commits = Haproxy.Calls.OfType<FakeHaproxyClient.Commit>().ToList();
        Assert.Equal(CommitOutcome.Invalid, commits[0].Result.Outcome);
        Assert.Equal(["good"], commits[1].Backends);
        Assert.Contains("server s1 10.0.0.2:8080", Haproxy.Reloads[^1].Config.Config);
        Assert.Null(Status(sync).Backends["bad"].Error);
    }
}
