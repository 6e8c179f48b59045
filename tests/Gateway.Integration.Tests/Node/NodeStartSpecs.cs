using System.Net;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// How a node starts and stops: refusing bad configuration by key (exit code 2, a line per key, no
/// stack trace), its admin token, and its HAProxy at a stop.
/// </summary>
public sealed class NodeStartSpecs
{
    [Fact]
    public async Task Node_should_refuse_bad_configuration_naming_each_key()
    {
        using var dir = new TempDir("gwc");
        var node = NodeProcess.Launch(new NodeSettings(dir.Path)
        {
            Extra = ["--Gateway:Frontend:HTTPPort=0", "--Gateway:Frontend:DefaultBackend=a b", "--Gateway:Providers:0:Type=Rest", "--Gateway:Providers:0:Name=r"],
        });
        await using var _ = node;

        await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, node.ExitCode);
        Assert.Contains("Gateway:Frontend:HTTPPort: must be 1–65535", node.Output);
        Assert.Contains("Gateway:Frontend:DefaultBackend: must be", node.Output);
        Assert.Contains("Gateway:Providers:0:Url: must be an absolute http or https URL", node.Output);
    }

    [Fact]
    public async Task Node_should_exit_with_2_naming_the_data_dir_without_a_stack_trace_when_it_cannot_write_there()
    {
        using var dir = new TempDir("gwr");
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        using var readOnly = new Immutable(data); // as a read-only mount: nothing can be created in it
        var node = NodeProcess.Launch(new NodeSettings(data));
        await using var _ = node;

        await node.WaitForExitAsync(TimeSpan.FromSeconds(90));

        var output = node.Output;
        Assert.True(node.ExitCode == 2, $"exit code {node.ExitCode}, output:\n{output}");
        Assert.Contains($"Configuration: Gateway:DataDir: the node cannot write [{data}] (Access to the path '{data}/", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task A_second_node_on_the_same_data_dir_should_exit_with_2_naming_the_first_and_leave_it_serving()
    {
        using var dir = new TempDir("gwd");
        await using var first = await NodeProcess.StartAsync(new NodeSettings(dir.Path));
        await first.PutOkAsync("/api/backends/kept?wait=true", """{"servers":[{"name":"s1","ip":"127.0.0.1","port":9001}]}""");
        var firstPid = int.Parse(File.ReadAllText(Path.Combine(dir.Path, "node.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        // its own ports, the same dir: before, it adopted the first's HAProxy and wrote to the same journal
        var second = NodeProcess.Launch(new NodeSettings(dir.Path));
        await using (second)
        {
            await second.WaitForExitAsync(TimeSpan.FromSeconds(90));
            Assert.True(second.ExitCode == 2, $"exit code {second.ExitCode}, output:\n{second.Output}");
            Assert.Contains($"Configuration: Gateway:DataDir: another node (pid {firstPid}) runs on [{dir.Path}]", second.Output);
            Assert.DoesNotContain("   at ", second.Output);
        }

        Assert.Equal(firstPid, int.Parse(File.ReadAllText(Path.Combine(dir.Path, "node.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture));
        // the first goes on, its HAProxy its own
        await first.PutOkAsync("/api/backends/after?wait=true", """{"servers":[{"name":"s1","ip":"127.0.0.1","port":9002}]}""");
    }

    [Fact]
    public async Task Node_should_exit_with_2_naming_each_key_without_a_stack_trace_when_values_do_not_convert()
    {
        using var dir = new TempDir("gwo");
        var node = NodeProcess.Launch(new NodeSettings(dir.Path)
        {
            Extra = ["--Gateway:Manager:SyncPeriod=5x", "--Gateway:Providers:0:Type=Rset"],
        });
        await using var _ = node;

        await node.WaitForExitAsync(TimeSpan.FromSeconds(90));

        var output = node.Output;
        Assert.True(node.ExitCode == 2, $"exit code {node.ExitCode}, output:\n{output}");
        Assert.Contains("Configuration: Gateway:Manager:SyncPeriod: must be a duration such as 500ms, 5s, 1m or 00:00:05", output);
        Assert.Contains("Configuration: Gateway:Providers:0:Type: must be one of Rest, File", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Node_without_a_configured_token_should_create_one_readable_only_by_its_owner()
    {
        using var dir = new TempDir("gwt");
        var settings = new NodeSettings(dir.Path) { Extra = ["--Gateway:Admin:Token="] };
        await using var node = await NodeProcess.StartAsync(settings);
        var file = Path.Combine(dir.Path, "admin.token");
        var token = (await File.ReadAllTextAsync(file)).Trim();
        using var anonymous = new HttpClient { BaseAddress = new Uri(settings.AdminUrl) };
        using var withFileToken = new HttpRequestMessage(HttpMethod.Get, "/api/status") { Headers = { { "Authorization", $"Bearer {token}" } } };
        using var withTestToken = new HttpRequestMessage(HttpMethod.Get, "/api/status") { Headers = { { "Authorization", $"Bearer {NodeProcess.Token}" } } };

        using var accepted = await anonymous.SendAsync(withFileToken);
        using var refused = await anonymous.SendAsync(withTestToken);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(64, token.Length);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(file, node.Output);
    }

    [Theory]
    [InlineData(false, Gateway.Actors.Haproxy.Posix.SIGTERM)]
    [InlineData(true, Gateway.Actors.Haproxy.Posix.SIGTERM)]
    [InlineData(false, Gateway.Actors.Haproxy.Posix.SIGINT)] // Ctrl-C in the terminal running scripts/run.sh
    public async Task Stopped_node_should_stop_its_haproxy_unless_told_to_keep_it_running(bool keepRunning, int signal)
    {
        using var dir = new TempDir("gwk");
        var node = await NodeProcess.StartAsync(new NodeSettings(dir.Path) { KeepHaproxyRunning = keepRunning });
        var config = node.Layout.ConfigPath;

        await node.StopAsync(signal: signal);
        var exitCode = node.ExitCode;
        await node.DisposeAsync();

        var left = System.Diagnostics.Process.GetProcessesByName("haproxy")
            .Where(p => Gateway.Actors.Haproxy.Posix.IsRunning(p.Id) && Gateway.Actors.Haproxy.Posix.CommandLine(p.Id).Contains(config, StringComparison.Ordinal))
            .ToList();
        try
        {
            Assert.Equal(0, exitCode);
            Assert.Equal(keepRunning, left.Count > 0);
        }
        finally
        {
            foreach (var process in left)
                process.Kill();
        }
    }
}
