using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// Base of the sync actor's specs: a <see cref="HaproxySyncActor"/> on a <see cref="FakeHaproxyClient"/>,
/// subscribed to a probe standing for the desired-state view, started on a recovered snapshot and
/// waited for until ready (startup and the first reconcile done). The reconcile period is an hour,
/// so only the first reconcile runs; reloads are not spaced unless a spec says so.
/// </summary>
public abstract class HaproxySyncSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly string _directory = $"/tmp/gws-{Guid.NewGuid():N}";

    protected HaproxySyncSpec(ITestOutputHelper output)
        : base("akka.loglevel = DEBUG\nakka.test.single-expect-default = 5s", output: output)
    {
        Haproxy = new FakeHaproxyClient(HaproxyLayout.Under(_directory));
        Desired = CreateTestProbe();
    }

    protected FakeHaproxyClient Haproxy { get; }

    protected TestProbe Desired { get; }

    protected SyncSettings Settings(TimeSpan? minReloadInterval = null, TimeSpan? quietPeriod = null) =>
        new(new GatewayConfig(), new HaproxyOptions(), Haproxy.Layout)
        {
            SyncPeriod = TimeSpan.FromHours(1),
            MinReloadInterval = minReloadInterval ?? TimeSpan.Zero,
            ReloadQuietPeriod = quietPeriod ?? TimeSpan.Zero,
        };

    /// <summary>Starts the sync actor on <paramref name="backends"/> (each at version 1) and <paramref name="routes"/>, and hands it the recovered snapshot.</summary>
    protected IActorRef StartSync(IEnumerable<Backend> backends, IReadOnlyList<Route>? routes = null, SyncSettings? settings = null)
    {
        var sync = Sys.ActorOf(HaproxySyncActor.Props(settings ?? Settings(), Haproxy, Desired));
        Assert.Equal(sync, Desired.ExpectMsg<DesiredStateActor.Subscribe>().Subscriber);
        Desired.Reply(new DesiredStateActor.Snapshot(
            backends.ToImmutableDictionary(b => b.Name, b => new VersionedBackend(b, 1, "admin-api")),
            RoutesVersion: 1, routes ?? [], Recovered: true));
        return sync;
    }

    /// <summary>Starts the sync actor and waits until it is ready.</summary>
    protected IActorRef StartReady(params Backend[] backends)
    {
        var sync = StartSync(backends);
        AwaitReady(sync);
        return sync;
    }

    protected void AwaitReady(IActorRef sync) => Eventually(() => Status(sync).Ready);

    /// <summary>Polls <paramref name="condition"/> every 10 ms for up to 5 s (TestKit's default interval is 800 ms).</summary>
    protected void Eventually(Func<bool> condition) =>
        AwaitCondition(condition, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));

    protected SyncStatus Status(IActorRef sync)
    {
        var probe = CreateTestProbe();
        sync.Tell(GetSyncStatus.Instance, probe);
        return probe.ExpectMsg<SyncStatus>();
    }

    protected long? Applied(IActorRef sync, string backend) =>
        Status(sync).Backends.TryGetValue(backend, out var state) ? state.Applied : null;

    /// <summary>Waits until every named backend is applied at <paramref name="version"/>.</summary>
    protected void AwaitApplied(IActorRef sync, long version, params string[] backends) =>
        Eventually(() =>
        {
            var status = Status(sync);
            return backends.All(b => status.Backends.TryGetValue(b, out var s) && s.Applied == version);
        });

    /// <summary>Asserts the sync actor has taken in the desired version of each named backend (its status answers after the messages sent before).</summary>
    protected void AssertDesired(IActorRef sync, long version, params string[] backends)
    {
        var status = Status(sync);
        Assert.All(backends, b => Assert.Equal(version, status.Backends[b].Desired));
    }

    /// <summary>The batch that starts a move of a checked server in the rotation: its twin, added at the new address.</summary>
    protected static IReadOnlyList<string> Twin(string backend, string server, string ip, int port, string? twin = null)
    {
        twin ??= server + ":moving";
        return
        [
            $"add server {backend}/{twin} {ip}:{port} check inter 2s {Gateway.Actors.Haproxy.Runtime.RuntimeCommands.DynamicServerDefaults}",
            $"enable health {backend}/{twin}",
            $"set server {backend}/{twin} state ready",
        ];
    }

    protected static Task Within(Task task) => task.WaitAsync(TimeSpan.FromSeconds(5));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
