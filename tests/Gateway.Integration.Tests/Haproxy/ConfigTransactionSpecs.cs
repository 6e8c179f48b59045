using System.Net;
using System.Net.Sockets;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>Render → check → atomic write → one confirmed reload; refusals keep the old config serving.</summary>
public sealed class ConfigTransactionSpecs : IAsyncLifetime
{
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private HaproxyUnderTest _haproxy = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _haproxy = await HaproxyUnderTest.StartAsync(
            [new Backend { Name = "web", Servers = [Server("s1", _a), Server("s2", _b)] }], [],
            fe => fe with { DefaultBackend = "web" });
    }

    public async Task DisposeAsync()
    {
        await _haproxy.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static BackendServer Server(string name, TestBackend b) => new() { Name = name, IP = b.IP, Port = b.Port };

    private async Task<string> ServedBy(string host = "any.test")
    {
        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(_haproxy.PlainUrl + "/", host);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.Split(' ')[0]["server=".Length..];
    }

    [Fact]
    public async Task Commit_with_an_unchanged_hash_should_do_nothing()
    {
        var before = await _haproxy.ProcAsync();
        var written = File.GetLastWriteTimeUtc(_haproxy.Layout.ConfigPath);

        var result = await _haproxy.CommitAsync("nothing changed", reload: false);

        Assert.Equal(CommitOutcome.Unchanged, result.Outcome);
        Assert.Equal(written, File.GetLastWriteTimeUtc(_haproxy.Layout.ConfigPath));
        Assert.Equal(before.Reloads, (await _haproxy.ProcAsync()).Reloads);
    }

    [Fact]
    public async Task Commit_with_a_new_backend_should_reload_once_and_serve_it()
    {
        var before = await _haproxy.ProcAsync();
        _haproxy.Backends.Add(new Backend { Name = "new", Servers = [Server("n1", _b)] });
        _haproxy.Routes.Add(new Route { Host = "new.test", Backend = "new" });

        var result = await _haproxy.CommitAsync("backend added: new");

        var after = await _haproxy.ProcAsync();
        Assert.Equal(CommitOutcome.Reloaded, result.Outcome);
        Assert.Equal(before.Reloads + 1, after.Reloads);
        Assert.Equal(after.CurrentWorker!.Pid, result.WorkerPid);
        Assert.Equal("b", await ServedBy("new.test"));
        Assert.Equal(result.Hash, _haproxy.Render().Hash);
        Assert.Equal(await File.ReadAllTextAsync(_haproxy.Layout.ConfigPath), _haproxy.Render().Config);
    }

    [Fact]
    public async Task Refused_config_should_keep_the_old_one_live_and_return_haproxys_error()
    {
        var good = _haproxy.Render();
        var before = await _haproxy.ProcAsync();
        var broken = good with { Config = good.Config + "\nbackend broken\n    server x 127.0.0.1:1 bogus-keyword\n" };

        var result = await _haproxy.Transaction.CommitAsync(broken, _haproxy.Backends, "fault injection", reload: true);

        Assert.Equal(CommitOutcome.Invalid, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Contains("bogus-keyword", error.Message);
        Assert.Equal(good.Config.Split('\n').Length + 2, error.Line);
        Assert.Equal(good.Config, await File.ReadAllTextAsync(_haproxy.Layout.ConfigPath));
        Assert.Equal(good.Hash, _haproxy.Transaction.CurrentHash);
        Assert.Equal(before.Reloads, (await _haproxy.ProcAsync()).Reloads);
        Assert.Contains(await ServedBy(), new[] { "a", "b" });
    }

    [Fact]
    public async Task Failed_reload_should_restore_the_previous_files_and_keep_the_old_worker_serving()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var good = _haproxy.Render();
        var before = await _haproxy.ProcAsync();
        // Valid for "haproxy -c" (it does not bind), refused by the new worker at reload.
        var unbindable = ConfigRenderer.Render(_haproxy.Frontend with { HttpsPort = taken }, _haproxy.Options, _haproxy.Layout, _haproxy.Backends, _haproxy.Routes);

        var result = await _haproxy.Transaction.CommitAsync(unbindable, _haproxy.Backends, "fault injection: port in use", reload: true);

        Assert.Equal(CommitOutcome.ReloadFailed, result.Outcome);
        Assert.Contains("failed reloads", Assert.Single(result.Errors).Message);
        Assert.Equal(good.Config, await File.ReadAllTextAsync(_haproxy.Layout.ConfigPath));
        Assert.Equal(good.Hash, _haproxy.Transaction.CurrentHash);
        Assert.Equal(before.CurrentWorker!.Pid, (await _haproxy.ProcAsync()).Workers.Single().Pid);
        Assert.Contains(await ServedBy(), new[] { "a", "b" });

        var recovered = await _haproxy.CommitAsync("good config again", reload: true);
        Assert.Equal(CommitOutcome.Reloaded, recovered.Outcome);
    }

    [Fact]
    public async Task A_port_another_process_holds_with_SO_REUSEPORT_should_be_refused_not_shared()
    {
        // Two HAProxies on one port both bind with SO_REUSEPORT and split its connections between them
        // without a word; this squatter binds the same way.
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        const int solSocket = 1, soReusePort = 15; // Linux
        squatter.SetRawSocketOption(solSocket, soReusePort, BitConverter.GetBytes(1));
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var taken = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var good = _haproxy.Render();
        var shared = ConfigRenderer.Render(_haproxy.Frontend with { HttpsPort = taken }, _haproxy.Options, _haproxy.Layout, _haproxy.Backends, _haproxy.Routes);

        var result = await _haproxy.Transaction.CommitAsync(shared, _haproxy.Backends, "fault injection: port shared", reload: true);

        Assert.Equal(CommitOutcome.ReloadFailed, result.Outcome);
        Assert.Equal(good.Config, await File.ReadAllTextAsync(_haproxy.Layout.ConfigPath));
        Assert.Contains(await ServedBy(), new[] { "a", "b" });
    }

    [Fact]
    public async Task Reload_should_keep_runtime_changes_because_the_config_carries_them()
    {
        // Runtime: s1 moves to b's port, s2 drains. Desired state says the same, then a new backend forces a reload.
        await _haproxy.RunAsync(RuntimeCommands.SetAddress("web", "s1", _b.IP, _b.Port));
        await _haproxy.RunAsync(RuntimeCommands.SetState("web", "s2", ServerAdminState.Drain));
        _haproxy.Backends[0] = _haproxy.Backends[0] with
        {
            Servers = [Server("s1", _b), Server("s2", _b) with { State = ServerAdminState.Drain }],
        };
        _haproxy.Backends.Add(new Backend { Name = "aaa-first", Servers = [Server("x", _a)] });

        var result = await _haproxy.CommitAsync("backend added: aaa-first");

        Assert.Equal(CommitOutcome.Reloaded, result.Outcome);
        var live = (await _haproxy.ServersAsync("web")).ToDictionary(s => s.Server);
        Assert.Equal((_b.IP, _b.Port, ServerAdminState.Ready), (live["s1"].Address, live["s1"].Port, live["s1"].State));
        Assert.Equal(ServerAdminState.Drain, live["s2"].State);
        Assert.Equal("b", await ServedBy());
    }

    [Fact]
    public async Task Reload_should_take_the_desired_port_not_the_one_left_in_the_state_file()
    {
        // HAProxy 2.6 restores srv_port from the state file over the config; the state file is
        // therefore rewritten to the desired state before each reload.
        await _haproxy.RunAsync(RuntimeCommands.SetAddress("web", "s1", _a.IP, _b.Port));
        _haproxy.Backends[0] = _haproxy.Backends[0] with { Servers = [Server("s1", _a)] };

        var result = await _haproxy.CommitAsync("server s2 removed, s1 back to a");

        Assert.Equal(CommitOutcome.Reloaded, result.Outcome);
        var live = Assert.Single(await _haproxy.ServersAsync("web"));
        Assert.Equal((_a.IP, _a.Port), (live.Address, live.Port));
        Assert.Equal("a", await ServedBy());
    }

    [Fact]
    public async Task Write_without_reload_should_align_the_state_file_so_a_restart_serves_what_was_written()
    {
        // The state file of the last reload knows s1 on a; s1 then moves to b at runtime and the config is rewritten.
        Assert.Equal(CommitOutcome.Reloaded, (await _haproxy.CommitAsync("state file with s1 on a")).Outcome);
        await _haproxy.RunAsync(RuntimeCommands.SetAddress("web", "s1", _b.IP, _b.Port));
        _haproxy.Backends[0] = _haproxy.Backends[0] with { Servers = [Server("s1", _b), Server("s2", _b) with { Weight = 3 }] };
        await _haproxy.RunAsync(RuntimeCommands.SetWeight("web", "s2", 3));

        var written = await _haproxy.CommitAsync("runtime changes", reload: false);

        Assert.Equal(CommitOutcome.Written, written.Outcome);
        await _haproxy.Runtime.ReconnectAsync();
        await _haproxy.Process.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        await _haproxy.Process.StartAsync(CancellationToken.None); // loads haproxy.cfg and the state file
        var live = (await _haproxy.ServersAsync("web")).ToDictionary(s => s.Server);
        Assert.Equal((_b.IP, _b.Port, 1), (live["s1"].Address, live["s1"].Port, live["s1"].Weight));
        Assert.Equal((_b.Port, 3), (live["s2"].Port, live["s2"].Weight));
    }

    [Fact]
    public async Task Write_without_reload_should_keep_a_server_added_at_runtime_in_drain_draining_after_a_restart()
    {
        // The state file of the last reload has no line for s3: it is added at runtime, then drained.
        Assert.Equal(CommitOutcome.Reloaded, (await _haproxy.CommitAsync("state file without s3")).Outcome);
        var web = _haproxy.Backends[0] with { Servers = [.. _haproxy.Backends[0].Servers, Server("s3", _a) with { State = ServerAdminState.Drain }] };
        _haproxy.Backends[0] = web;
        Assert.True((await _haproxy.RunAsync(RuntimeCommands.AddServer(web, web.Servers[2]))).Ok);
        Assert.True((await _haproxy.RunAsync(RuntimeCommands.SetState("web", "s3", ServerAdminState.Drain))).Ok);
        Assert.Equal(CommitOutcome.Written, (await _haproxy.CommitAsync("s3 added in drain", reload: false)).Outcome);

        await _haproxy.Runtime.ReconnectAsync();
        await _haproxy.Process.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        await _haproxy.Process.StartAsync(CancellationToken.None); // haproxy.cfg has s3 as a plain server: only the state file says drain

        var live = (await _haproxy.ServersAsync("web")).ToDictionary(s => s.Server);
        Assert.Equal((_a.IP, _a.Port, ServerAdminState.Drain), (live["s3"].Address, live["s3"].Port, live["s3"].State));
        Assert.Equal((ServerAdminState.Ready, ServerAdminState.Ready), (live["s1"].State, live["s2"].State));
    }
}
