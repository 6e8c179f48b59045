using System.Net;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>Host, path, host+path and wildcard routes, most specific first, then the default backend — through real requests.</summary>
public sealed class RoutingSpecs : IAsyncLifetime
{
    private readonly List<TestBackend> _servers = [];
    private HaproxyUnderTest _haproxy = null!;

    public async Task InitializeAsync()
    {
        var names = new[] { "api", "api-v2", "www", "wild", "wild-admin", "static", "fallback" };
        foreach (var name in names)
            _servers.Add(await TestBackend.StartAsync(name));
        _haproxy = await HaproxyUnderTest.StartAsync(
            _servers.Select(s => new Backend { Name = s.Name, Servers = [new BackendServer { Name = s.Name, IP = s.IP, Port = s.Port }] }),
            [
                new Route { Host = "api.example.com", Backend = "api" },
                new Route { Host = "api.example.com", Path = "/v2", Backend = "api-v2" },
                new Route { Host = "www.example.com", Path = "/", Backend = "www" },
                new Route { Host = "*.example.com", Backend = "wild" },
                new Route { Host = "*.example.com", Path = "/admin", Backend = "wild-admin" },
                new Route { Path = "/static", Backend = "static" },
                new Route { Host = "ghost.example.com", Backend = "no-such-backend" },
            ],
            fe => fe with { DefaultBackend = "fallback" });
    }

    public async Task DisposeAsync()
    {
        await _haproxy.DisposeAsync();
        foreach (var server in _servers)
            await server.DisposeAsync();
    }

    [Theory]
    [InlineData("api.example.com", "/", "api")]
    [InlineData("API.Example.com:8080", "/users", "api")]
    [InlineData("api.example.com", "/v2", "api-v2")]
    [InlineData("api.example.com", "/v2/users?x=1", "api-v2")]
    [InlineData("api.example.com", "/v20", "api")]
    [InlineData("www.example.com", "/anything", "www")]
    [InlineData("shop.example.com", "/", "wild")]
    [InlineData("shop.example.com", "/admin/users", "wild-admin")]
    [InlineData("api.example.com", "/admin", "api")]
    [InlineData("a.b.example.com", "/", "fallback")]
    [InlineData("example.com", "/", "fallback")]
    [InlineData("other.org", "/static/app.js", "static")]
    [InlineData("shop.example.com", "/static/app.js", "wild")]
    [InlineData("other.org", "/staticx", "fallback")]
    [InlineData("other.org", "/", "fallback")]
    public async Task Request_should_reach_the_most_specific_route(string host, string path, string expected)
    {
        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(_haproxy.PlainUrl + path, host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith($"server={expected} ", body);
    }

    [Fact]
    public async Task Route_to_a_missing_backend_should_get_503_and_not_fall_through_to_the_wildcard()
    {
        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(_haproxy.PlainUrl + "/", "ghost.example.com");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("the backend of this route does not exist", body.Trim());
    }

    [Fact]
    public async Task H2_requests_should_be_routed_by_their_authority()
    {
        using var client = Clients.Tls(HttpVersion.Version20);
        var (status, body, version) = await client.FetchAsync(_haproxy.TlsUrl + "/v2/x", "api.example.com");
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (status, version));
        Assert.StartsWith("server=api-v2 ", body);
    }

    /// <summary>Route sets that need only some lookups (the frontend renders only those): the same answers as with all of them.</summary>
    [Theory]
    [InlineData("path", "other.org/static/x=static other.org/=fallback [::1]:80/static=static api.example.com/=fallback")]
    [InlineData("host", "api.example.com/=api API.Example.com:8080/v2=api-v2 shop.example.com/=fallback other.org/static=fallback")]
    [InlineData("wildcard", "shop.example.com/=wild shop.example.com/admin/x=wild-admin example.com/=fallback a.b.example.com/=fallback")]
    [InlineData("none", "api.example.com/=fallback other.org/static=fallback")]
    [InlineData("catch-all", "api.example.com/=static other.org/static/x=static [::1]:80/a/b=static")]
    [InlineData("hosts and catch-all", "api.example.com/v2=api API.Example.com:8080/=api www.example.com/x=www other.org/=static [::1]:80/=static")]
    [InlineData("wildcard and catch-all", "shop.example.com/x=wild a.b.example.com/=static example.com/=static")]
    [InlineData("host paths and catch-all", "api.example.com/v2/x=api-v2 api.example.com/v3=api www.example.com/=static")]
    public async Task Requests_should_reach_the_same_routes_when_the_frontend_looks_up_only_what_the_routes_need(string routes, string expectations)
    {
        var all = new Dictionary<string, Route[]>
        {
            ["path"] = [new Route { Path = "/static", Backend = "static" }],
            ["host"] = [new Route { Host = "api.example.com", Backend = "api" }, new Route { Host = "api.example.com", Path = "/v2", Backend = "api-v2" }],
            ["wildcard"] = [new Route { Host = "*.example.com", Backend = "wild" }, new Route { Host = "*.example.com", Path = "/admin", Backend = "wild-admin" }],
            ["none"] = [],
            ["catch-all"] = [new Route { Path = "/", Backend = "static" }],
            ["hosts and catch-all"] = [new Route { Host = "api.example.com", Backend = "api" }, new Route { Host = "www.example.com", Backend = "www" },
                new Route { Path = "/", Backend = "static" }],
            ["wildcard and catch-all"] = [new Route { Host = "*.example.com", Backend = "wild" }, new Route { Path = "", Backend = "static" }],
            ["host paths and catch-all"] = [new Route { Host = "api.example.com", Backend = "api" }, new Route { Host = "api.example.com", Path = "/v2", Backend = "api-v2" },
                new Route { Path = "/", Backend = "static" }],
        };
        await using var haproxy = await HaproxyUnderTest.StartAsync(
            _servers.Select(s => new Backend { Name = s.Name, Servers = [new BackendServer { Name = s.Name, IP = s.IP, Port = s.Port }] }),
            all[routes], fe => fe with { DefaultBackend = "fallback" });
        using var client = Clients.Http1();
        foreach (var expectation in expectations.Split(' '))
        {
            var (request, expected) = (expectation.Split('=')[0], expectation.Split('=')[1]);
            var slash = request.IndexOf('/', request.LastIndexOf(']') + 1);
            var (status, body, _) = await client.FetchAsync(haproxy.PlainUrl + request[slash..], request[..slash]);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(body.StartsWith($"server={expected} ", StringComparison.Ordinal), $"{request} reached {body} (expected {expected})");
        }
    }

    [Fact]
    public async Task Unrouted_requests_should_get_503_when_no_default_backend_exists()
    {
        var server = _servers[0];
        await using var bare = await HaproxyUnderTest.StartAsync(
            [new Backend { Name = "only", Servers = [new BackendServer { Name = "s", IP = server.IP, Port = server.Port }] }],
            [new Route { Host = "only.test", Backend = "only" }]);
        using var client = Clients.Http1();
        var routed = await client.FetchAsync(bare.PlainUrl + "/", "only.test");
        var unrouted = await client.FetchAsync(bare.PlainUrl + "/", "elsewhere.test");
        Assert.Equal(HttpStatusCode.OK, routed.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unrouted.Status);
    }
}
