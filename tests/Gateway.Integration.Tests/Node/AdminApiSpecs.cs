using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>The node end to end through its admin API: real node process, real HAProxy, real backends, HTTP/2 traffic.</summary>
public sealed class AdminApiSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    private static string BackendJson(string name, TestBackend server, string? protocol = null) =>
        $$"""{"name":"{{name}}",{{(protocol is null ? "" : $"\"protocol\":\"{protocol}\",")}}"servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}}}]}""";

    /// <summary>A host route, whatever ran before: the frontend looks hosts up (the first host route reloads, see RouteLookupSpecs).</summary>
    private Task LookUpHostsAsync() =>
        Node.PutOkAsync("/api/routes?wait=true", """{"host":"lookup.test","path":"","backend":"lookup"}""");

    [Fact]
    public async Task Backend_added_through_the_api_should_receive_http2_traffic_end_to_end()
    {
        await Node.PutOkAsync("/api/backends/api-h2?wait=true", BackendJson("api-h2", fixture.H2, "h2c"));
        await Node.PutOkAsync("/api/routes?wait=true", """{"host":"h2.test","path":"/rpc","backend":"api-h2"}""");

        using var h2c = Clients.H2c();
        using var tls = Clients.Tls(HttpVersion.Version20);
        var plain = await h2c.FetchAsync(Node.PlainUrl + "/rpc/call", "h2.test");
        var secure = await tls.FetchAsync(Node.TlsUrl + "/rpc/call", "h2.test");

        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (plain.Status, plain.Version));
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (secure.Status, secure.Version));
        Assert.StartsWith("server=h2 proto=HTTP/2 ", plain.Body);
        Assert.StartsWith("server=h2 proto=HTTP/2 ", secure.Body);
    }

    [Fact]
    public async Task New_backend_should_cost_exactly_one_reload_and_a_route_change_none()
    {
        await LookUpHostsAsync();
        var before = await Node.ReloadsAsync();

        await Node.PutOkAsync("/api/backends/one-reload?wait=true", BackendJson("one-reload", fixture.A));
        var afterBackend = await Node.ReloadsAsync();
        await Node.PutOkAsync("/api/routes?wait=true", """{"host":"one.test","path":"","backend":"one-reload"}""");

        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(Node.PlainUrl + "/", "one.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=a ", body);
        Assert.Equal(before + 1, afterBackend);
        Assert.Equal(afterBackend, await Node.ReloadsAsync());
    }

    [Fact]
    public async Task Address_change_should_be_live_without_a_reload()
    {
        await Node.PutOkAsync("/api/backends/moving?wait=true", BackendJson("moving", fixture.A));
        await Node.PutOkAsync("/api/routes?wait=true", """{"host":"moving.test","path":"","backend":"moving"}""");
        var before = await Node.ReloadsAsync();
        var commandsBefore = (await Node.StatusAsync()).GetProperty("runtimeCommands").GetInt64();

        await Node.PutOkAsync("/api/backends/moving?wait=true", BackendJson("moving", fixture.B));

        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(Node.PlainUrl + "/", "moving.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=b ", body);
        var status2 = await Node.StatusAsync();
        Assert.Equal(before, status2.GetProperty("reloads").GetInt64());
        Assert.True(status2.GetProperty("runtimeCommands").GetInt64() > commandsBefore);
    }

    [Fact]
    public async Task Status_should_report_the_process_memory_and_threads()
    {
        var process = (await Node.StatusAsync()).GetProperty("process");

        Assert.InRange(process.GetProperty("rssBytes").GetInt64(), 10L << 20, 64L << 30);
        Assert.True(process.GetProperty("committedBytes").GetInt64() > 0);
        Assert.True(process.GetProperty("allocatedBytes").GetInt64() > 0);
        Assert.True(process.GetProperty("gen0Collections").GetInt32() >= process.GetProperty("gen2Collections").GetInt32());
        Assert.True(process.GetProperty("liveHeapBytes").GetInt64() >= 0);
        Assert.True(process.GetProperty("threads").GetInt32() > 1);
        Assert.True(process.GetProperty("uptimeSeconds").GetDouble() > 0);
    }

    [Fact]
    public async Task Hostile_names_and_hosts_should_get_400_naming_the_field_and_leave_haproxy_cfg_unchanged()
    {
        var config = await File.ReadAllBytesAsync(Node.Layout.ConfigPath);
        var hostPathMap = await File.ReadAllBytesAsync(Node.Layout.HostPathMap);

        using var badName = await Node.PutJsonAsync("/api/backends/evil%0Abackend%20x", """{"servers":[]}""");
        using var badServer = await Node.PutJsonAsync("/api/backends/fine", """{"servers":[{"name":"s1 check;","ip":"127.0.0.1","port":80}]}""");
        using var badIp = await Node.PutJsonAsync("/api/backends/fine", """{"servers":[{"name":"s1","ip":"127.0.0.1\n    server x 10.0.0.1:80","port":80}]}""");
        using var badHost = await Node.PutJsonAsync("/api/routes", """{"host":"a.com\n    http-request deny","path":"","backend":"fine"}""");
        using var badPath = await Node.PutJsonAsync("/api/routes", """{"host":"","path":"/x y#z","backend":"fine"}""");

        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        await AssertNamesField(badName, "name");
        await AssertNamesField(badServer, "servers[0].name");
        await AssertNamesField(badIp, "servers[0].ip");
        await AssertNamesField(badHost, "host");
        await AssertNamesField(badPath, "path");
        Assert.Equal(config, await File.ReadAllBytesAsync(Node.Layout.ConfigPath));
        Assert.Equal(hostPathMap, await File.ReadAllBytesAsync(Node.Layout.HostPathMap));
    }

    [Fact]
    public async Task A_document_of_backends_should_be_stored_in_one_call_and_served_with_one_reload()
    {
        await LookUpHostsAsync();
        var before = await Node.ReloadsAsync();

        using var response = await Node.PostJsonAsync("/api/backends?wait=true",
            $$"""{"backends":[{{BackendJson("bulk-a", fixture.A)}},{{BackendJson("bulk-b", fixture.B)}}]}""");
        await Node.PutOkAsync("/api/routes?wait=true", """{"host":"bulk-b.test","path":"","backend":"bulk-b"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("backends");
        Assert.Equal(["bulk-a", "bulk-b"], stored.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.All(stored.EnumerateArray(), b => Assert.True(b.GetProperty("changed").GetBoolean()));
        using var client = Clients.H2c();
        var (status, body, _) = await client.FetchAsync(Node.PlainUrl + "/", "bulk-b.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=b ", body);
        Assert.Equal(before + 1, await Node.ReloadsAsync());
    }

    [Fact]
    public async Task A_document_with_one_hostile_backend_should_get_400_naming_it_and_store_none_of_it()
    {
        var config = await File.ReadAllBytesAsync(Node.Layout.ConfigPath);

        using var response = await Node.PostJsonAsync("/api/backends",
            $$"""{"backends":[{{BackendJson("bulk-fine", fixture.A)}},{"name":"bulk-evil","servers":[{"name":"s1","ip":"127.0.0.1\n    server x 10.0.0.1:80","port":80}]}]}""");

        await AssertNamesField(response, "backends[1].servers[0].ip");
        using var fine = await Node.Admin.GetAsync("/api/backends/bulk-fine");
        Assert.Equal(HttpStatusCode.NotFound, fine.StatusCode);
        Assert.Equal(config, await File.ReadAllBytesAsync(Node.Layout.ConfigPath));
    }

    private static async Task AssertNamesField(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
    }

    [Fact]
    public async Task Malformed_json_should_get_400_not_a_crash()
    {
        using var response = await Node.PutJsonAsync("/api/backends/broken", """{"servers":[{"name":"s1","ip":"127.0.0.1","port":"eighty"}]}""");

        await AssertNamesField(response, "servers[0].port");
        using var health = await Node.Admin.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Api_calls_without_the_token_should_get_401_while_health_stays_open()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(Node.Settings.AdminUrl) };

        using var api = await anonymous.GetAsync("/api/backends");
        using var health = await anonymous.GetAsync("/healthz");
        using var ready = await anonymous.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Backends_and_routes_should_read_back_in_the_seeds_json_and_be_deletable()
    {
        await Node.PutOkAsync("/api/backends/listed?wait=true", BackendJson("listed", fixture.A));
        await Node.PutOkAsync("/api/routes?wait=true", """{"host":"listed.test","path":"/x","backend":"listed"}""");

        var list = JsonDocument.Parse(await Node.Admin.GetStringAsync("/api/backends")).RootElement;
        var one = JsonDocument.Parse(await Node.Admin.GetStringAsync("/api/backends/listed")).RootElement;
        var routes = JsonDocument.Parse(await Node.Admin.GetStringAsync("/api/routes")).RootElement;
        using var deleteRoute = await Node.Admin.DeleteAsync("/api/routes?host=listed.test&path=/x&wait=true");
        using var deleteBackend = await Node.Admin.DeleteAsync("/api/backends/listed?wait=true");
        using var gone = await Node.Admin.GetAsync("/api/backends/listed");

        Assert.Contains(list.GetProperty("backends").EnumerateArray(), b => b.GetProperty("name").GetString() == "listed");
        Assert.Equal(fixture.A.Port, one.GetProperty("servers")[0].GetProperty("port").GetInt32());
        Assert.Contains(routes.GetProperty("routes").EnumerateArray(), r => r.GetProperty("host").GetString() == "listed.test");
        Assert.Equal(HttpStatusCode.OK, deleteRoute.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleteBackend.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain("backend listed\n", await File.ReadAllTextAsync(Node.Layout.ConfigPath));
    }
}
