using Akka.Actor;
using Gateway.Shared.Messages;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>What operators read: one Information line per round that changed HAProxy at runtime, with its counts, and one per map replacement.</summary>
public class HaproxySyncLogSpecs(ITestOutputHelper output) : HaproxySyncSpec(output)
{
    [Fact]
    public void HaproxySync_should_log_one_information_line_with_the_counts_of_a_runtime_round()
    {
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1"), Server("s2", "10.0.0.2"), Server("s4", "10.0.0.4")));

        // s1 holds no connection: its move is one address change; the addition is three commands, the weight one
        EventFilter.Info("Applied [5] runtime commands to [1] backends: [1] servers moved, [1] added, [1] removed, [1] weights and [0] admin states set")
            .ExpectOne(() =>
            {
                sync.Tell(new BackendStateChanged("api", 2,
                    Backend("api", Server("s1", "10.0.0.9"), Server("s2", "10.0.0.2", weight: 5), Server("s3", "10.0.0.3"))));
                AwaitApplied(sync, 2, "api");
            });
    }

    [Fact]
    public void HaproxySync_should_sum_rounds_under_load_into_a_line_a_second_and_lose_no_count()
    {
        const int changes = 30;
        var sync = StartReady(Backend("api", Server("s1", "10.0.0.1")));
        var lines = CreateTestProbe();
        Sys.EventStream.Subscribe(lines.Ref, typeof(Akka.Event.Info));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var version = 2; version < 2 + changes; version++)
        {
            sync.Tell(new BackendStateChanged("api", version, Backend("api", Server("s1", $"10.0.1.{version}"))));
            AwaitApplied(sync, version, "api"); // a round each
        }
        var elapsed = clock.Elapsed;

        // everything is logged within a second of the last round, in at most a line a second
        var applied = new List<string>();
        lines.FishForMessage(m =>
        {
            if (m is Akka.Event.Info info && info.Message.ToString() is { } text && text.StartsWith("Applied [", StringComparison.Ordinal))
                applied.Add(text);
            return applied.Sum(Moved) == changes;
        }, TimeSpan.FromSeconds(10));
        Assert.True(applied.Count <= elapsed.TotalSeconds + 2, $"{applied.Count} lines in {elapsed.TotalSeconds:0.0} s: {string.Join(" | ", applied)}");
    }

    /// <summary>The servers moved that a line counts.</summary>
    private static int Moved(string line) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"\[(\d+)\] servers moved").Groups[1].Value);

    [Fact]
    public void HaproxySync_should_log_a_runtime_map_replacement_with_the_routes_version()
    {
        var sync = StartSync([Backend("api")], [Route("", "/old", "api")]);
        AwaitReady(sync);

        EventFilter.Info("Replaced the route maps at runtime for routes version [2]: [2] entries, [1] of them answering 503 (backend missing)")
            .ExpectOne(() =>
            {
                sync.Tell(new RoutesStateChanged(2, [Route("", "/", "api"), Route("", "/gone", "gone")]));
                sync.Tell(new AwaitRoutesApplied(2, TimeSpan.FromSeconds(5)));
                ExpectMsg(new AppliedOk(2));
            });
    }
}
