using Gateway.Shared.Model;

namespace Gateway.Shared.Tests.Model;

/// <summary>A route's identity is its lower-cased host and its path without trailing slashes.</summary>
public class RouteSpecs
{
    [Theory]
    [InlineData("API.Example.com", "/api/", "api.example.com", "/api")]
    [InlineData("*.Example.COM", "/api///", "*.example.com", "/api")]
    [InlineData("", "/", "", "")]
    [InlineData("", "///", "", "")]
    [InlineData("a.com", "", "a.com", "")]
    [InlineData("a.com", "/a/b", "a.com", "/a/b")]
    public void Route_should_normalise_its_key(string host, string path, string keyHost, string keyPath)
    {
        var route = new Route { Host = host, Path = path, Backend = "api" };

        var key = route.Key;

        Assert.Equal(new RouteKey(keyHost, keyPath), key);
    }

    [Fact]
    public void Route_should_keep_its_backend_when_normalised()
    {
        var route = new Route { Host = "API.Example.com", Path = "/api/", Backend = "Api-Backend" };

        var normalized = route.Normalized();

        Assert.Equal(new Route { Host = "api.example.com", Path = "/api", Backend = "Api-Backend" }, normalized);
    }

    [Fact]
    public void Route_should_share_a_key_with_a_route_that_differs_only_in_case_and_trailing_slash()
    {
        var first = new Route { Host = "Example.com", Path = "/api", Backend = "a" };

        var second = new Route { Host = "example.com", Path = "/api/", Backend = "b" };

        Assert.Equal(first.Key, second.Key);
    }

    [Theory]
    [InlineData("", "", "*/")]
    [InlineData("a.com", "", "a.com/")]
    [InlineData("", "/api", "*/api")]
    public void RouteKey_should_print_an_empty_host_as_star_and_an_empty_path_as_slash(string host, string path, string expected)
    {
        var key = new RouteKey(host, path);

        var text = key.ToString();

        Assert.Equal(expected, text);
    }
}
