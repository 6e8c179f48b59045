using System.Net;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>Changes made through the runtime API are seen in real traffic, with no reload.</summary>
public sealed class RuntimeApiSpecs : IAsyncLifetime
{
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private TestBackend _c = null!;
    private HaproxyUnderTest _haproxy = null!;
    private Backend _web = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _c = await TestBackend.StartAsync("c");
        _web = new Backend { Name = "web", Servers = [Server("s1", _a)] };
        // Routes that match none of the requests below, so that the frontend looks up both maps, hosts with their paths.
        _haproxy = await HaproxyUnderTest.StartAsync([_web],
            [new Route { Host = "lookup.test", Path = "/lookup", Backend = "web" }, new Route { Path = "/lookup", Backend = "web" }],
            fe => fe with { DefaultBackend = "web" });
    }

    public async Task DisposeAsync()
    {
        await _haproxy.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _c.DisposeAsync();
    }

    private static BackendServer Server(string name, TestBackend b, int? weight = null) =>
        new() { Name = name, IP = b.IP, Port = b.Port, Weight = weight };

    private async Task<HashSet<string>> ServedBy(int requests, HttpClient? client = null, string? host = null, string path = "/")
    {
        using var own = client is null ? Clients.Http1() : null;
        var http = client ?? own!;
        var seen = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            var (status, body, _) = await http.FetchAsync(_haproxy.PlainUrl + path, host);
            Assert.Equal(HttpStatusCode.OK, status);
            seen.Add(body.Split(' ')[0]["server=".Length..]);
        }
        return seen;
    }

    [Fact]
    public async Task Address_change_should_move_traffic_without_a_reload()
    {
        var before = await _haproxy.ProcAsync();
        Assert.Equal(["a"], await ServedBy(3));

        await _haproxy.RunAsync(RuntimeCommands.SetAddress("web", "s1", _b.IP, _b.Port));

        Assert.Equal(["b"], await ServedBy(3));
        var live = Assert.Single(await _haproxy.ServersAsync("web"));
        Assert.Equal((_b.IP, _b.Port), (live.Address, live.Port));
        Assert.Equal(before.Reloads, (await _haproxy.ProcAsync()).Reloads);
    }

    [Fact]
    public async Task Move_should_take_a_busy_keep_alive_client_to_the_new_address_and_lose_no_request()
    {
        using var client = Clients.Http1(keepAlive: true);
        await using var load = new LoadLoop(client, _haproxy.PlainUrl + "/", workers: 2, maxRequests: 100_000, maxTime: TimeSpan.FromSeconds(60));
        await load.Progress(50);
        var move = ServerMoves.Plan(_web, RuntimeOperations.ServerSettings.Of(_web.Servers[0]), Server("s1", _b), "s1:moving");

        var connected = ServerMoves.Connected([move], await _haproxy.Runtime.ExecuteAsync(ServerMoves.Queries([move], served: 10)));
        var started = await _haproxy.Runtime.ExecuteAsync(move.Start);
        var moved = Assert.Single(await ServerMoves.FinishAsync(_haproxy.Runtime, [move], TimeSpan.FromSeconds(5), served: 10));
        var atOldAfterMove = _a.Requests;
        await load.Progress(300);
        var twinGone = moved.TwinRemoved || await RuntimeOperations.RemoveServerAsync(_haproxy.Runtime, "web", "s1:moving", TimeSpan.FromSeconds(5));
        await load.StopAsync();

        Assert.Contains(move, connected);
        Assert.All(started, r => Assert.True(r.Ok, r.ToString()));
        Assert.Equal((true, null), (moved.Drained, moved.Error));
        Assert.Equal(atOldAfterMove, _a.Requests); // HAProxy 2.6 kept sending this client to a after a plain "set server addr"
        Assert.Equal((0, ""), (load.Failures, string.Join("; ", load.Errors)));
        Assert.True(twinGone);
        var live = Assert.Single(await _haproxy.ServersAsync("web"));
        Assert.Equal(("s1", _b.IP, _b.Port, ServerAdminState.Ready), (live.Server, live.Address, live.Port, live.State));
    }

    [Fact]
    public async Task Move_should_find_a_server_no_client_used_without_connections_and_one_just_used_with_them()
    {
        var move = ServerMoves.Plan(_web, RuntimeOperations.ServerSettings.Of(_web.Servers[0]), Server("s1", _b), "s1:moving");

        using var client = Clients.Http1(keepAlive: true);

        var unused = ServerMoves.Connected([move], await _haproxy.Runtime.ExecuteAsync(ServerMoves.Queries([move], served: 10)));
        Assert.Equal(["a"], await ServedBy(1, client));
        var used = ServerMoves.Connected([move], await _haproxy.Runtime.ExecuteAsync(ServerMoves.Queries([move], served: 10)));

        Assert.Empty(unused); // then its settings are set at once: there is nothing to move
        Assert.Contains(move, used); // its idle connection to a would be reused after a plain address change
    }

    [Fact]
    public async Task Added_server_should_take_traffic_without_a_reload()
    {
        var before = await _haproxy.ProcAsync();
        var replies = await _haproxy.Runtime.ExecuteAsync(RuntimeOperations.AddServer(_web, Server("s2", _b)));
        Assert.All(replies, r => Assert.True(r.Ok, r.ToString()));

        Assert.Equal(["a", "b"], (await ServedBy(6)).Order());
        var s2 = (await _haproxy.ServersAsync("web")).Single(s => s.Server == "s2");
        Assert.Equal(ServerAdminState.Ready, s2.State);
        Assert.Equal(before.Reloads, (await _haproxy.ProcAsync()).Reloads);
    }

    [Fact]
    public async Task Added_server_should_keep_its_server_connection_for_a_keep_alive_client()
    {
        const int requests = 8;
        Assert.All(await _haproxy.Runtime.ExecuteAsync(RuntimeOperations.AddServer(_web, Server("s2", _b))), r => Assert.True(r.Ok, r.ToString()));
        await _haproxy.RunAsync(RuntimeCommands.SetState("web", "s1", ServerAdminState.Maint));
        using var client = Clients.Http1(keepAlive: true);

        var connections = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.GetAsync(_haproxy.PlainUrl + "/");
            response.EnsureSuccessStatusCode();
            Assert.StartsWith("server=b ", await response.Content.ReadAsStringAsync());
            connections.Add(response.Headers.GetValues("x-connection").Single());
        }

        // HAProxy 2.6 gives a dynamic server no idle-connection pool unless asked: then every request opens a connection.
        Assert.True(connections.Count <= 2, $"{requests} requests of one client reached the added server over {connections.Count} connections");
    }

    [Fact]
    public async Task Added_server_should_get_its_options_spelled_out_on_an_h2c_backend()
    {
        await using var h2 = await TestBackend.StartAsync("h2", http2: true);
        var grpc = new Backend { Name = "grpc", Protocol = ServerProtocol.H2c, Servers = [] };
        _haproxy.Backends.Add(grpc);
        _haproxy.Routes.Add(new Route { Host = "grpc.test", Backend = "grpc" });
        Assert.Equal(CommitOutcome.Reloaded, (await _haproxy.CommitAsync("add grpc backend")).Outcome);

        var replies = await _haproxy.Runtime.ExecuteAsync(RuntimeOperations.AddServer(grpc, new BackendServer { Name = "g1", IP = h2.IP, Port = h2.Port }));
        Assert.All(replies, r => Assert.True(r.Ok, r.ToString()));

        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(_haproxy.PlainUrl + "/", "grpc.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("server=h2 proto=HTTP/2", body);
    }

    [Fact]
    public async Task Removed_server_should_stop_taking_traffic_while_a_keep_alive_client_keeps_going()
    {
        Assert.All(await _haproxy.Runtime.ExecuteAsync(RuntimeOperations.AddServer(_web, Server("s2", _b))), r => Assert.True(r.Ok, r.ToString()));
        using var client = Clients.Http1(keepAlive: true);
        Assert.Equal(["a", "b"], (await ServedBy(4, client)).Order());

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var requests = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && requests < 5000)
            {
                try
                {
                    var (status, _, _) = await client.FetchAsync(_haproxy.PlainUrl + "/");
                    if (status != HttpStatusCode.OK)
                        Interlocked.Increment(ref failures);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
                Interlocked.Increment(ref requests);
            }
        });
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref requests) > 20), what: "load running");

        var removed = await RuntimeOperations.RemoveServerAsync(_haproxy.Runtime, "web", "s2", TimeSpan.FromSeconds(5));
        var servedAfter = _b.Requests;
        var atRemoval = Volatile.Read(ref requests);
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref requests) > atRemoval + 20), what: "load after removal");
        await stop.CancelAsync();
        await load;

        Assert.True(removed);
        Assert.Equal(0, failures);
        Assert.Equal(servedAfter, _b.Requests);
        Assert.DoesNotContain(await _haproxy.ServersAsync("web"), s => s.Server == "s2");
    }

    [Fact]
    public async Task Removed_server_should_finish_a_request_in_flight_and_be_deleted_afterwards()
    {
        Assert.All(await _haproxy.Runtime.ExecuteAsync(RuntimeOperations.AddServer(_web, Server("s2", _b))), r => Assert.True(r.Ok, r.ToString()));
        await _haproxy.RunAsync(RuntimeCommands.SetState("web", "s1", ServerAdminState.Maint));
        using var client = Clients.Http1();
        var slow = client.FetchAsync(_haproxy.PlainUrl + "/slow?ms=1500");
        await Eventually.True(() => Task.FromResult(_b.Requests > 0), what: "slow request reached s2");

        var removedAtOnce = await RuntimeOperations.RemoveServerAsync(_haproxy.Runtime, "web", "s2", TimeSpan.Zero);
        var stillThere = (await _haproxy.ServersAsync("web")).Single(s => s.Server == "s2");
        var (status, body, _) = await slow;
        var removedLater = await RuntimeOperations.RemoveServerAsync(_haproxy.Runtime, "web", "s2", TimeSpan.FromSeconds(5));

        Assert.False(removedAtOnce);
        Assert.Equal(ServerAdminState.Maint, stillThere.State);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("server=b ", body);
        Assert.True(removedLater);
    }

    [Fact]
    public async Task Weight_zero_should_keep_new_requests_away_from_a_server()
    {
        Assert.All(await _haproxy.Runtime.ExecuteAsync(RuntimeOperations.AddServer(_web, Server("s2", _b))), r => Assert.True(r.Ok, r.ToString()));
        Assert.Equal(["a", "b"], (await ServedBy(4)).Order());

        await _haproxy.RunAsync(RuntimeCommands.SetWeight("web", "s2", 0));

        Assert.Equal(["a"], await ServedBy(6));
        Assert.Equal(0, (await _haproxy.ServersAsync("web")).Single(s => s.Server == "s2").Weight);
    }

    [Fact]
    public async Task Replaced_route_map_should_route_traffic_without_a_reload_with_the_most_specific_entry_first()
    {
        _haproxy.Backends.Add(new Backend { Name = "other", Servers = [Server("o1", _c)] });
        _haproxy.Backends.Add(new Backend { Name = "deep", Servers = [Server("d1", _b)] });
        Assert.Equal(CommitOutcome.Reloaded, (await _haproxy.CommitAsync("add backends")).Outcome);
        var reloads = (await _haproxy.ProcAsync()).Reloads;
        Assert.Equal(["a"], await ServedBy(2, host: "shop.test", path: "/api/x"));

        // Added in this order, "add map" would put /api/deep behind /api and never match it.
        var routes = new[]
        {
            new Route { Host = "shop.test", Path = "/api", Backend = "other" },
            new Route { Host = "shop.test", Path = "/api/deep", Backend = "deep" },
        };
        var (hostPath, _) = RouteMaps.Build(routes, new HashSet<string> { "web", "other", "deep" });
        var replies = await RuntimeOperations.ReplaceMapAsync(_haproxy.Runtime, _haproxy.Layout.HostPathMap, hostPath);

        Assert.All(replies, r => Assert.True(r.Ok, r.ToString()));
        Assert.Equal(["c"], await ServedBy(2, host: "shop.test", path: "/api/x"));
        Assert.Equal(["b"], await ServedBy(2, host: "shop.test", path: "/api/deep/1"));
        Assert.Equal(reloads, (await _haproxy.ProcAsync()).Reloads);
    }

    [Fact]
    public async Task Single_map_entries_should_be_added_changed_and_deleted_at_runtime()
    {
        _haproxy.Backends.Add(new Backend { Name = "other", Servers = [Server("o1", _c)] });
        Assert.Equal(CommitOutcome.Reloaded, (await _haproxy.CommitAsync("add backend")).Outcome);
        var map = _haproxy.Layout.PathMap;

        await _haproxy.RunAsync(RuntimeCommands.AddMapEntry(map, "/x/", "other"));
        var added = await ServedBy(2, path: "/x/1");
        await _haproxy.RunAsync(RuntimeCommands.SetMapEntry(map, "/x/", "web"));
        var changed = await ServedBy(2, path: "/x/1");
        await _haproxy.RunAsync(RuntimeCommands.AddMapEntry(map, "/y/", "other"));
        await _haproxy.RunAsync(RuntimeCommands.DeleteMapEntry(map, "/y/"));
        var deleted = await ServedBy(2, path: "/y/1");

        Assert.Equal(["c"], added);
        Assert.Equal(["a"], changed);
        Assert.Equal(["a"], deleted);
    }

    [Fact]
    public async Task Batch_should_report_a_refused_command_by_itself_and_run_the_others()
    {
        var replies = await _haproxy.Runtime.ExecuteAsync(
        [
            RuntimeCommands.SetWeight("web", "s1", 3),
            RuntimeCommands.SetWeight("web", "nope", 3),
            RuntimeCommands.SetWeight("web", "s1", 300),
            RuntimeCommands.ShowServersState("web"),
        ]);

        Assert.Equal([true, false, false, true], replies.Select(r => r.Ok));
        Assert.Equal("No such server.", replies[1].Output);
        Assert.StartsWith("Absolute weight can only be between 0 and 256", replies[2].Output);
        Assert.Equal(3, ServerStates.Parse(replies[3].Output).Single().Weight);
    }

    [Fact]
    public async Task Batch_larger_than_one_chunk_should_get_every_reply_in_order()
    {
        var commands = Enumerable.Range(0, 2000)
            .Select(i => RuntimeCommands.SetAddress("web", "s1", $"127.0.{i / 250}.{i % 250 + 1}", 1000 + i))
            .Append(RuntimeCommands.SetAddress("web", "s1", _a.IP, _a.Port))
            .ToList();

        var replies = await _haproxy.Runtime.ExecuteAsync(commands);

        Assert.Equal(commands.Count, replies.Count);
        Assert.All(replies, r => Assert.True(r.Ok, r.ToString()));
        Assert.Contains("to '127.0.7.250'", replies[1999].Output);
        Assert.Equal(["a"], await ServedBy(2));
        Assert.Equal(1, _haproxy.Runtime.Connects);
    }

    [Fact]
    public async Task Runtime_commands_after_a_reload_should_reach_the_new_worker()
    {
        Assert.Equal(CommitOutcome.Reloaded, (await _haproxy.CommitAsync("test reload", reload: true)).Outcome);

        await _haproxy.RunAsync(RuntimeCommands.SetAddress("web", "s1", _b.IP, _b.Port));

        Assert.Equal(["b"], await ServedBy(3));
    }
}
