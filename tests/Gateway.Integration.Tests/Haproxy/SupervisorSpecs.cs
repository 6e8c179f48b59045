using System.Diagnostics;
using System.Net;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>The supervisor starts HAProxy again when it dies, adopts one that runs, and stops it gracefully.</summary>
public sealed class SupervisorSpecs : IAsyncLifetime
{
    private TestBackend _a = null!;
    private HaproxyUnderTest _haproxy = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _haproxy = await HaproxyUnderTest.StartAsync(
            [new Backend { Name = "web", Servers = [new BackendServer { Name = "s1", IP = _a.IP, Port = _a.Port }] }], [],
            fe => fe with { DefaultBackend = "web" });
    }

    public async Task DisposeAsync()
    {
        await _haproxy.DisposeAsync();
        await _a.DisposeAsync();
    }

    private int HaproxyProcessesOnThisConfig() =>
        Process.GetProcessesByName("haproxy").Count(p => Posix.CommandLine(p.Id).Contains(_haproxy.Layout.ConfigPath, StringComparison.Ordinal)
                                                         && Posix.IsRunning(p.Id));

    [Fact]
    public async Task Supervisor_should_start_haproxy_again_after_it_was_killed()
    {
        await using var supervisor = new HaproxySupervisor(_haproxy.Process);
        var restarted = new TaskCompletionSource<int>();
        supervisor.Restarted += pid => restarted.TrySetResult(pid);
        await supervisor.StartAsync(CancellationToken.None);
        var killed = _haproxy.Process.MasterPid!.Value;
        Assert.True(_haproxy.Process.Adopted);

        Posix.Signal(killed, Posix.SIGKILL);
        var newMaster = await restarted.Task.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.NotEqual(killed, newMaster);
        Assert.Equal(1, supervisor.Restarts);
        using var client = Clients.Http1();
        var (status, body, _) = await Eventually.Get(() => client.FetchAsync(_haproxy.PlainUrl + "/"), r => r.Status == HttpStatusCode.OK, what: "traffic after restart");
        Assert.StartsWith("server=a ", body);
        await supervisor.StopAsync(keepRunning: true, TimeSpan.FromSeconds(2), CancellationToken.None);
    }

    [Fact]
    public async Task Supervisor_should_notice_at_once_that_the_haproxy_it_started_died_without_polling_for_it()
    {
        await _haproxy.Runtime.ReconnectAsync(); // closes its CLI connection, which would hold the stopping worker
        await _haproxy.Process.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        var process = new HaproxyProcess(_haproxy.Layout, _haproxy.Options);
        // Checking an hour apart: only the signalled exit of its own child can bring it back in time.
        await using var supervisor = new HaproxySupervisor(process) { CheckInterval = TimeSpan.FromHours(1) };
        var restarted = new TaskCompletionSource<int>();
        supervisor.Restarted += pid => restarted.TrySetResult(pid);
        await supervisor.StartAsync(CancellationToken.None);
        Assert.False(process.Adopted);
        var killed = process.MasterPid!.Value;

        Posix.Signal(killed, Posix.SIGKILL);
        var newMaster = await restarted.Task.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.NotEqual(killed, newMaster);
        await supervisor.StopAsync(keepRunning: false, TimeSpan.FromSeconds(2), CancellationToken.None);
    }

    [Fact]
    public async Task Process_should_adopt_a_running_haproxy_instead_of_starting_a_second_one()
    {
        var running = _haproxy.Process.MasterPid;
        var next = new HaproxyProcess(_haproxy.Layout, _haproxy.Options);

        var adopted = await next.TryAdoptAsync(CancellationToken.None);

        Assert.True(adopted);
        Assert.True(next.Adopted);
        Assert.Equal(running, next.MasterPid);
        Assert.Equal(2, HaproxyProcessesOnThisConfig()); // one master, one worker
    }

    [Fact]
    public async Task Process_should_not_adopt_when_the_pid_file_names_a_dead_process()
    {
        await _haproxy.Process.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        var next = new HaproxyProcess(_haproxy.Layout, _haproxy.Options);

        Assert.False(await next.TryAdoptAsync(CancellationToken.None));
        Assert.Equal(0, HaproxyProcessesOnThisConfig());
    }

    [Fact]
    public async Task Stop_should_end_every_haproxy_process_of_the_instance()
    {
        Assert.Equal(2, HaproxyProcessesOnThisConfig());

        await _haproxy.Process.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        await Eventually.True(() => Task.FromResult(HaproxyProcessesOnThisConfig() == 0), what: "all processes gone");
        Assert.False(_haproxy.Process.IsRunning);
    }
}
