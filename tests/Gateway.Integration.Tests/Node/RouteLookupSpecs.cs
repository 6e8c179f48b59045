using System.Net;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// The frontend looks requests up only as the routes need (no host lookup without a host route,
/// a lone catch-all route is the default backend): a route that needs another lookup is served by
/// one reload, and <c>?wait=true</c> answers once it is; routes that keep the lookup change at runtime.
/// </summary>
public sealed class RouteLookupSpecs() : WebAndApiSpec("api")
{
    private static async Task<string> ServedByAsync(NodeProcess node, string host, string path = "/")
    {
        using var client = Clients.Http1(keepAlive: false);
        var (status, body, _) = await client.FetchAsync(node.PlainUrl + path, host);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.Split(' ')[0]["server=".Length..];
    }

    [Fact]
    public async Task Route_needing_another_lookup_should_be_served_when_wait_answers_after_one_reload_and_others_at_runtime()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(Dir.Path));
        await node.PutOkAsync("/api/backends/web?wait=true", Backend(Web));
        await node.PutOkAsync("/api/backends/api?wait=true", Backend(Api));
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/","backend":"web"}""");
        Assert.Equal("web", await ServedByAsync(node, "api.test"));
        var reloads = await node.ReloadsAsync();

        await node.PutOkAsync("/api/routes?wait=true", """{"host":"api.test","path":"","backend":"api"}""");

        Assert.Equal("api", await ServedByAsync(node, "api.test"));
        var status = await node.StatusAsync();
        Assert.Equal(reloads + 1, status.GetProperty("reloads").GetInt64());
        Assert.Equal("route lookup changed: catch-all web → host, catch-all web", status.GetProperty("lastReloadReason").GetString());

        await node.PutOkAsync("/api/routes?wait=true", """{"host":"www.test","path":"/","backend":"api"}""");
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"api.test","path":"","backend":"web"}""");

        Assert.Equal("web", await ServedByAsync(node, "api.test", "/v2/x"));
        Assert.Equal("api", await ServedByAsync(node, "www.test"));
        Assert.Equal("web", await ServedByAsync(node, "other.test"));
        Assert.Equal(reloads + 1, await node.ReloadsAsync());

        // The catch-all is the frontend's default backend, not a map entry: moving it reloads.
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/","backend":"api"}""");

        Assert.Equal("api", await ServedByAsync(node, "other.test"));
        Assert.Equal(reloads + 2, await node.ReloadsAsync());
    }
}
