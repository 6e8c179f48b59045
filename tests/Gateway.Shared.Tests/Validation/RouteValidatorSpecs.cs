using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Tests.Validation;

/// <summary>A route's host, path and backend go into map files; hostile values are refused on their own field.</summary>
public class RouteValidatorSpecs
{
    // "" means "any host" / "any path" on a route, so the empty string is not hostile there.
    public static TheoryData<string> HostileHosts => HostileStrings.Data(HostileStrings.Hosts.Where(v => v.Length > 0));
    public static TheoryData<string> HostilePaths => HostileStrings.Data(HostileStrings.Paths.Where(v => v.Length > 0).Append("/api?x=1"));
    public static TheoryData<string> HostileNames => HostileStrings.Data(HostileStrings.Names);

    private static ValidationError SingleError(Route route) => Assert.Single(RouteValidator.Validate(route));

    [Theory]
    [MemberData(nameof(HostileHosts))]
    public void RouteValidator_should_refuse_a_hostile_host(string value)
    {
        var route = new Route { Host = value, Path = "/api", Backend = "api" };

        var error = SingleError(route);

        Assert.Equal("host", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void RouteValidator_should_refuse_a_hostile_path(string value)
    {
        var route = new Route { Host = "api.example.com", Path = value, Backend = "api" };

        var error = SingleError(route);

        Assert.Equal("path", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void RouteValidator_should_refuse_a_hostile_backend(string value)
    {
        var route = new Route { Host = "api.example.com", Path = "/api", Backend = value };

        var error = SingleError(route);

        Assert.Equal("backend", error.Field);
    }

    [Theory]
    [InlineData("api.example.com")]
    [InlineData("*.example.com")]
    [InlineData("API.Example.com")]
    [InlineData("localhost")]
    [InlineData("xn--bcher-kva.example")]
    public void RouteValidator_should_accept_host_names(string value)
    {
        var route = new Route { Host = value, Backend = "api" };

        var errors = RouteValidator.Validate(route);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api")]
    [InlineData("/api/v1/")]
    [InlineData("/a-b_c.d~e")]
    [InlineData("/%20x")]
    public void RouteValidator_should_accept_path_prefixes(string value)
    {
        var route = new Route { Path = value, Backend = "api" };

        var errors = RouteValidator.Validate(route);

        Assert.Empty(errors);
    }

    [Fact]
    public void RouteValidator_should_accept_a_catch_all_route()
    {
        var route = new Route { Host = "", Path = "", Backend = "api-backend" };

        var errors = RouteValidator.Validate(route);

        Assert.Empty(errors);
    }

    [Fact]
    public void RouteValidator_should_name_null_host_and_path()
    {
        var route = new Route { Host = null!, Path = null!, Backend = "api" };

        var errors = RouteValidator.Validate(route).Select(e => e.ToString());

        Assert.Equal(["host: must be a string (\"\" for any host)", "path: must be a string (\"\" for any path)"], errors);
    }
}
