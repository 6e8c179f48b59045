using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>A node given values that do not convert stops before anything starts: exit code 2, a line per key, no stack trace.</summary>
public sealed class ConfigurationSpecs
{
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
}
