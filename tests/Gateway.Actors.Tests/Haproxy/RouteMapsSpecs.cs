using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// The frontend looks up host + path + "/" with map_beg, first match in file order: keys must end
/// in '/', be normalised like the request key, and come most specific (longest) first.
/// </summary>
public class RouteMapsSpecs
{
    private static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal) { "api", "web", "admin" };

    private static RouteMapsContent Build(params Route[] routes) =>
        RouteMaps.Build(routes, Known);

    [Fact]
    public void RouteMaps_should_key_a_host_and_path_route_by_host_path_and_slash()
    {
        var route = Route("api.example.com", "/v1", "api");

        var (hostPath, path) = Build(route);

        Assert.Equal([new RouteMaps.Entry("api.example.com/v1/", "api")], hostPath);
        Assert.Empty(path);
    }

    [Fact]
    public void RouteMaps_should_key_a_host_only_route_by_host_and_slash()
    {
        var route = Route("api.example.com", "", "api");

        var (hostPath, path) = Build(route);

        Assert.Equal([new RouteMaps.Entry("api.example.com/", "api")], hostPath);
        Assert.Empty(path);
    }

    [Fact]
    public void RouteMaps_should_put_a_path_only_route_in_the_path_map()
    {
        var route = Route("", "/api", "api");

        var (hostPath, path) = Build(route);

        Assert.Empty(hostPath);
        Assert.Equal([new RouteMaps.Entry("/api/", "api")], path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("///")]
    public void RouteMaps_should_key_a_catch_all_route_by_slash_in_the_path_map(string catchAllPath)
    {
        var route = Route("", catchAllPath, "web");

        var (hostPath, path) = Build(route);

        Assert.Empty(hostPath);
        Assert.Equal([new RouteMaps.Entry("/", "web")], path);
    }

    [Fact]
    public void RouteMaps_should_give_paths_with_and_without_a_trailing_slash_the_same_key()
    {
        var routes = new[] { Route("", "/api/", "api"), Route("", "/api", "web") };

        var (_, path) = Build(routes);

        Assert.Equal([new RouteMaps.Entry("/api/", "web")], path);
    }

    [Fact]
    public void RouteMaps_should_lower_case_the_host()
    {
        var route = Route("API.Example.COM", "/V1", "api");

        var (hostPath, _) = Build(route);

        Assert.Equal([new RouteMaps.Entry("api.example.com/V1/", "api")], hostPath);
    }

    [Fact]
    public void RouteMaps_should_sort_longest_key_first_then_ordinal()
    {
        var routes = new[]
        {
            Route("", "/b", "api"), Route("", "", "web"), Route("", "/api/v1", "api"), Route("", "/a", "admin"),
            Route("", "/B", "web"), Route("", "/api", "api"),
        };

        var (_, path) = Build(routes);

        Assert.Equal(["/api/v1/", "/api/", "/B/", "/a/", "/b/", "/"], path.Select(e => e.Key));
    }

    [Fact]
    public void RouteMaps_should_point_routes_whose_backend_does_not_exist_at_the_503_backend()
    {
        var routes = new[] { Route("", "/api", "missing"), Route("", "", "web"), Route("x.example.com", "", "Api") };

        var (hostPath, path) = Build(routes);

        Assert.Equal([new RouteMaps.Entry("x.example.com/", RouteMaps.MissingBackend)], hostPath);
        Assert.Equal([new RouteMaps.Entry("/api/", RouteMaps.MissingBackend), new RouteMaps.Entry("/", "web")], path);
    }

    [Fact]
    public void RouteMaps_should_keep_a_dangling_route_ahead_of_the_less_specific_route_it_shadows()
    {
        var routes = new[] { Route("", "", "web"), Route("", "/my-api", "gone"), Route("", "/my-api/v2", "api") };

        var (_, path) = Build(routes);

        Assert.Equal(["/my-api/v2/ api", $"/my-api/ {RouteMaps.MissingBackend}", "/ web"], path.Select(e => $"{e.Key} {e.Backend}"));
    }

    [Fact]
    public void RouteMaps_should_name_a_503_backend_no_user_backend_can_be_called()
    {
        var error = Gateway.Shared.Validation.Rules.Name(RouteMaps.MissingBackend);

        Assert.NotNull(error);
        Assert.NotNull(Gateway.Shared.Validation.Rules.Name(ConfigRenderer.UnroutedBackend));
    }

    [Fact]
    public void RouteMaps_should_list_the_dangling_routes_normalised_and_sorted()
    {
        var routes = new[] { Route("", "/b/", "gone"), Route("X.example.com", "/a", "gone"), Route("", "/a", "web"), Route("", "", "other-gone") };

        var dangling = RouteMaps.Dangling(routes, Known.Contains);

        Assert.Equal([Route("", "", "other-gone"), Route("", "/b", "gone"), Route("x.example.com", "/a", "gone")], dangling);
    }

    [Fact]
    public void RouteMaps_should_let_a_later_route_with_the_same_key_replace_the_earlier()
    {
        var routes = new[] { Route("Api.example.com", "/v1/", "api"), Route("api.example.com", "/v1", "web") };

        var (hostPath, _) = Build(routes);

        Assert.Equal([new RouteMaps.Entry("api.example.com/v1/", "web")], hostPath);
    }

    [Fact]
    public void RouteMaps_should_keep_the_wildcard_in_a_wildcard_host_key()
    {
        var routes = new[] { Route("*.example.com", "", "web"), Route("*.Example.com", "/api", "api") };

        var (hostPath, _) = Build(routes);

        Assert.Equal([new RouteMaps.Entry("*.example.com/api/", "api"), new RouteMaps.Entry("*.example.com/", "web")], hostPath);
    }

    [Fact]
    public void RouteMaps_should_format_one_key_and_backend_per_line()
    {
        var entries = new[] { new RouteMaps.Entry("api.example.com/v1/", "api"), new RouteMaps.Entry("/", "web") };

        var text = RouteMaps.Format(entries);

        Assert.Equal("api.example.com/v1/ api\n/ web\n", text);
    }

    [Fact]
    public void RouteMaps_should_format_no_entries_as_an_empty_map()
    {
        var entries = Array.Empty<RouteMaps.Entry>();

        var text = RouteMaps.Format(entries);

        Assert.Equal("", text);
    }
}
