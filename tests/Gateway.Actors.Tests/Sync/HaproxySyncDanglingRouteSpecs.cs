using Akka.Actor;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// Routes whose backend does not exist: listed apart in the status, and answered by the 503 backend
/// as soon as their backend leaves the desired state (at runtime, before the reload that removes it).
/// </summary>
public class HaproxySyncDanglingRouteSpecs(ITestOutputHelper output) : HaproxySyncSpec(output)
{
    private static readonly Route[] Routes = [Route("", "/", "api"), Route("", "/my-api", "my-api"), Route("gone.example.com", "", "gone")];

    [Fact]
    public void HaproxySync_should_list_the_routes_whose_backend_is_not_desired_in_its_status()
    {
        var sync = StartSync([Backend("api")], Routes);
        AwaitReady(sync);

        var before = Status(sync).DanglingRoutes;
        sync.Tell(new BackendStateChanged("my-api", 1, Backend("my-api")));
        var created = Status(sync).DanglingRoutes;
        sync.Tell(new BackendStateChanged("my-api", 2, null));
        var deleted = Status(sync).DanglingRoutes;

        Assert.Equal([Route("", "/my-api", "my-api"), Route("gone.example.com", "", "gone")], before);
        Assert.Equal([Route("gone.example.com", "", "gone")], created);
        Assert.Equal(before, deleted);
    }

    [Fact]
    public void HaproxySync_should_send_a_deleted_backends_routes_to_the_503_backend_at_runtime_while_its_reload_waits()
    {
        var settings = Settings(quietPeriod: TimeSpan.FromHours(1)) with { MaxReloadDelay = TimeSpan.FromHours(1) };
        var sync = StartSync([Backend("api"), Backend("my-api")], Routes, settings);
        AwaitReady(sync);
        var mapsBefore = PathMaps().Count;

        sync.Tell(new BackendStateChanged("my-api", 2, null));

        Eventually(() => PathMaps().Count > mapsBefore);
        Assert.Equal([new("/my-api/", RouteMaps.MissingBackend), new("/", "api")], PathMaps()[^1].Entries);
        Assert.Empty(Haproxy.Reloads); // the reload that removes "my-api" is still waiting
        Assert.Equal(1, Applied(sync, "api"));
    }

    [Fact]
    public void HaproxySync_should_write_the_live_maps_to_disk_while_a_deleted_backends_reload_waits()
    {
        var settings = Settings(quietPeriod: TimeSpan.FromHours(1)) with { MaxReloadDelay = TimeSpan.FromHours(1), ConfigWriteInterval = TimeSpan.Zero };
        var sync = StartSync([Backend("api"), Backend("my-api")], Routes, settings);
        AwaitReady(sync);

        sync.Tell(new BackendStateChanged("my-api", 2, null));

        // haproxy.cfg still has "my-api" (HAProxy does until the reload), the maps already answer 503 for it
        Eventually(() => Writes().Any(w => w.Config.PathMap.Contains("/my-api/ " + RouteMaps.MissingBackend, StringComparison.Ordinal)));
        Assert.Contains("\nbackend my-api\n", Writes()[^1].Config.Config);
        Assert.Empty(Haproxy.Reloads);
    }

    private List<FakeHaproxyClient.Commit> Writes() =>
        Haproxy.Calls.OfType<FakeHaproxyClient.Commit>().Where(c => !c.Reload && c.Reason == "runtime changes").ToList();

    private List<FakeHaproxyClient.ReplaceMap> PathMaps() =>
        Haproxy.Calls.OfType<FakeHaproxyClient.ReplaceMap>().Where(m => m.Map == Haproxy.Layout.PathMap).ToList();
}
