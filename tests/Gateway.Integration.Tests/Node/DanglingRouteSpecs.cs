using System.Net;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// A route whose backend does not exist answers 503 and keeps shadowing less specific routes: with
/// <c>/</c> → web and <c>/my-api</c> → my-api, deleting my-api must not hand <c>/my-api/…</c> to web.
/// </summary>
public sealed class DanglingRouteSpecs() : WebAndApiSpec("my-api")
{
    private async Task SetUpAsync(NodeProcess node)
    {
        await node.PutOkAsync("/api/backends/web?wait=true", Backend(Web));
        await node.PutOkAsync("/api/backends/my-api?wait=true", Backend(Api));
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/","backend":"web"}""");
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"","path":"/my-api","backend":"my-api"}""");
    }

    private static async Task<(HttpStatusCode Status, string Body)> FetchAsync(NodeProcess node)
    {
        using var client = Clients.Http1(keepAlive: false);
        var (status, body, _) = await client.FetchAsync(node.PlainUrl + "/my-api/x");
        return (status, body);
    }

    private static async Task<IReadOnlyList<(string Host, string Path, string Backend)>> DanglingAsync(NodeProcess node) =>
        (await node.StatusAsync()).GetProperty("danglingRoutes").EnumerateArray()
            .Select(r => (r.GetProperty("host").GetString()!, r.GetProperty("path").GetString()!, r.GetProperty("backend").GetString()!))
            .ToList();

    [Fact]
    public async Task Route_to_a_deleted_backend_should_answer_503_not_the_catch_all_and_be_served_again_once_it_is_created()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(Dir.Path));
        await SetUpAsync(node);
        Assert.StartsWith("server=my-api ", (await FetchAsync(node)).Body);

        using (var deleted = await node.Admin.DeleteAsync("/api/backends/my-api?wait=true"))
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        var (status, body) = await FetchAsync(node);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("does not exist", body);
        Assert.Equal(0, Web.Requests); // nothing meant for my-api reached web
        Assert.Equal([("", "/my-api", "my-api")], await DanglingAsync(node));

        var reloads = await node.ReloadsAsync();
        await node.PutOkAsync("/api/backends/my-api?wait=true", Backend(Api));

        Assert.StartsWith("server=my-api ", (await FetchAsync(node)).Body);
        Assert.Equal(reloads + 1, await node.ReloadsAsync()); // the backend's own reload; its route needed none
        Assert.Empty(await DanglingAsync(node));
    }

    [Fact]
    public async Task Backend_deleted_and_created_again_should_switch_its_route_at_runtime_without_a_reload()
    {
        var settings = new NodeSettings(Dir.Path);
        await using (var seed = await NodeProcess.StartAsync(settings))
        {
            await SetUpAsync(seed);
            await seed.StopAsync();
        }
        // Reloads wait 10 minutes here: whatever changes in this test changes at runtime.
        await using var node = await NodeProcess.StartAsync(settings with
        {
            AdminPort = FreePort.Next(),
            Extra = ["--Gateway:Manager:ReloadQuietPeriod=10m", "--Gateway:Manager:MaxReloadDelay=10m"],
        });
        Assert.StartsWith("server=my-api ", (await FetchAsync(node)).Body);

        using (var deleted = await node.Admin.DeleteAsync("/api/backends/my-api"))
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        await Eventually.Get(() => FetchAsync(node), r => r.Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20),
            "503 for the deleted backend's route");
        Assert.Equal([("", "/my-api", "my-api")], await DanglingAsync(node));

        await node.PutOkAsync("/api/backends/my-api?wait=true", Backend(Api));

        var served = await Eventually.Get(() => FetchAsync(node), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20),
            "the route served again");
        Assert.StartsWith("server=my-api ", served.Body);
        Assert.Equal(0, await node.ReloadsAsync());
        Assert.Equal(0, Web.Requests);
    }
}
