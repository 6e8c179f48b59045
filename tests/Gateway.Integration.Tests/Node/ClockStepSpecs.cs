using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// The machine's wall clock stepped back (NTP setting a resumed VM's clock right, an operator's
/// <c>date -s</c>) while a node runs: it must go on serving changes as before. Read from the wall
/// clock, a step back of an hour put the next reload an hour away, so a new backend was stored and
/// not served for that hour. The node's process (and its HAProxy) run under libfaketime, whose
/// offset the spec changes; the monotonic clock is left alone, as a real step leaves it.
/// </summary>
public sealed class ClockStepSpecs() : TwoServersNodeSpec("gwclk")
{
    [Fact]
    public async Task A_step_back_of_the_wall_clock_should_not_put_off_serving_a_new_backend()
    {
        var offset = Path.Combine(Dir.Path, "faketime-offset");
        await File.WriteAllTextAsync(offset, "+0\n");
        var settings = new NodeSettings(Path.Combine(Dir.Path, "node")) { Environment = FakeTime(offset) };
        await using var node = await NodeProcess.StartAsync(settings);
        await node.PutOkAsync("/api/backends/before?wait=true", Backend("before", A)); // a reload, at the clock's time before the step

        await File.WriteAllTextAsync(offset, "-1h\n");
        await Eventually.True(async () => await WallClockOfAsync(node) < DateTimeOffset.UtcNow - TimeSpan.FromMinutes(30),
            what: "the node's wall clock an hour back", within: TimeSpan.FromSeconds(30));

        // a new backend needs a reload: served within the wait, not an hour later
        await node.PutOkAsync("/api/backends/after?wait=true", Backend("after", B));
        await node.PutOkAsync("/api/routes?wait=true", """{"host":"after.test","path":"","backend":"after"}""");
        using var client = Clients.Http1();
        var (status, body, _) = await client.FetchAsync(node.PlainUrl + "/", "after.test");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.StartsWith("server=b ", body);
    }

    /// <summary>The node's wall clock as its admin API's <c>Date</c> header says it.</summary>
    private static async Task<DateTimeOffset> WallClockOfAsync(NodeProcess node)
    {
        using var response = await node.Admin.GetAsync("/healthz");
        return response.Headers.Date ?? throw new InvalidOperationException("the admin API answered without a Date header");
    }

    /// <summary>libfaketime's environment: the wall clock moved by the offset in <paramref name="offsetFile"/>, read again every second; the monotonic clock and timed waits left alone.</summary>
    private static Dictionary<string, string> FakeTime(string offsetFile)
    {
        var library = Directory.GetDirectories("/usr/lib").Select(dir => Path.Combine(dir, "faketime", "libfaketimeMT.so.1")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("libfaketime is not installed (scripts/install-deps.sh --test installs it)");
        return new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = library,
            ["FAKETIME_TIMESTAMP_FILE"] = offsetFile,
            ["FAKETIME_CACHE_DURATION"] = "1",
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
            // on by itself with this glibc, its "fix" of monotonic waits kept .NET's timer threads spinning on two cores
            ["FAKETIME_FORCE_MONOTONIC_FIX"] = "0",
        };
    }
}
