using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// HAProxy's config cannot be written (a full disk, a read-only mount): the change is stored and the
/// sync tries again later each time, one line a try rather than a stack trace a second, and once
/// the config can be written HAProxy serves the change with no restart.
/// </summary>
public sealed class UnwritableConfigSpecs() : TwoServersNodeSpec("gwu")
{
    [Fact]
    public async Task A_config_that_cannot_be_written_should_be_tried_again_ever_later_and_served_once_it_can()
    {
        var settings = new NodeSettings(Dir.Path);
        await using var node = await NodeProcess.StartAsync(settings);
        await node.PutOkAsync("/api/backends/kept?wait=true", Backend("kept", A));

        // no file can be added to it: haproxy.cfg.new fails; disposed at the end too, or nobody could delete the dir
        using var unwritable = new Immutable(Path.Combine(Dir.Path, "haproxy"));
        await node.PutOkAsync("/api/backends/added", Backend("added", B)); // stored; a new backend needs a reload
        await Eventually.True(() => Task.FromResult(node.Output.Contains("([3] in a row)", StringComparison.Ordinal)),
            what: "three failed tries", within: TimeSpan.FromSeconds(60));
        Assert.Contains("Sync round failed; trying again in [00:00:01]", node.Output);
        Assert.Contains("Sync round failed again ([2] in a row): ", node.Output);
        Assert.Contains("; trying again in [00:00:02]", node.Output);
        Assert.Contains("; trying again in [00:00:04]", node.Output);
        Assert.Single(Lines(node.Output, "Sync round failed; trying again")); // the exception's stack once, not with every try
        var failing = await node.StatusAsync(); // and the status says so
        Assert.True(failing.GetProperty("consecutiveFailures").GetInt32() >= 3);
        Assert.Equal(System.Text.Json.JsonValueKind.String, failing.GetProperty("nextAttempt").ValueKind);
        var failedAt = failing.GetProperty("lastErrorAt").GetDateTime();

        unwritable.Dispose();
        await Eventually.True(() => Task.FromResult(node.Output.Contains("Sync works again after [", StringComparison.Ordinal)),
            what: "the sync working again", within: TimeSpan.FromSeconds(60));
        await node.PutOkAsync("/api/backends/added?wait=true", Backend("added", B));
        var working = await node.StatusAsync();
        Assert.Equal(0, working.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, working.GetProperty("nextAttempt").ValueKind);
        // the error stays as history, with when it happened: no later than the status that showed it failing
        Assert.Contains("haproxy.cfg.new", working.GetProperty("lastError").GetString());
        Assert.True(working.GetProperty("lastErrorAt").GetDateTime() >= failedAt);
    }

    private static IEnumerable<string> Lines(string output, string containing) =>
        output.Split('\n').Where(line => line.Contains(containing, StringComparison.Ordinal));
}
