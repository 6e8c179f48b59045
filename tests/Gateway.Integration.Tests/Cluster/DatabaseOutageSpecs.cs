using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Cluster;

/// <summary>
/// The shared journal (PostgreSQL) stopped for 20 s under a stream of changes to a cluster of three:
/// nothing exits, every HAProxy serves what it had, reads answer, writes are answered 503 saying the
/// change was not stored and why, and once the journal is back writes are stored again by themselves
/// and converge on every node.
/// </summary>
public sealed class DatabaseOutageSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Backends = 6;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    /// <summary>The stream's pace per node: at most 20 changes a second.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(50);

    private readonly NodeCluster _cluster = new(output);

    private List<NodeProcess> Nodes => _cluster.Nodes;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private static string Backend(int i, TestBackend server, int weight) =>
        $$"""{"name":"o{{i}}","servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}},"weight":{{weight}}}]}""";

    /// <summary>One answered change of the stream: when it was sent and answered (on the spec's clock), and the answer.</summary>
    private sealed record Write(int Node, int Backend, TimeSpan Sent, TimeSpan Answered, HttpStatusCode Status, string Title, string Detail);

    /// <summary>
    /// Changes (a server's weight, a runtime change) sent one after the other through <paramref name="node"/>,
    /// at most one per <see cref="Pace"/> (refusals come back in milliseconds: the count bound would run out
    /// during the outage), until stopped, or <paramref name="max"/> of them, or 5 minutes; each answer recorded.
    /// </summary>
    private Task StreamAsync(int node, Stopwatch clock, ConcurrentQueue<Write> writes, CancellationToken stop, int max = 6_000) => Task.Run(async () =>
    {
        var limit = Stopwatch.StartNew();
        using var pace = new PeriodicTimer(Pace);
        for (var n = 0; n < max && !stop.IsCancellationRequested && limit.Elapsed < TimeSpan.FromMinutes(5); n++)
        {
            await pace.WaitForNextTickAsync(CancellationToken.None);
            var sent = clock.Elapsed;
            var i = n % Backends;
            try
            {
                using var response = await Nodes[node].PutJsonAsync($"/api/backends/o{i}", Backend(i, _cluster.A, weight: 1 + n % 200));
                var body = await response.Content.ReadAsStringAsync();
                var (title, detail) = response.IsSuccessStatusCode ? ("", "") : Problem(body);
                writes.Enqueue(new Write(node, i, sent, clock.Elapsed, response.StatusCode, title, detail));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                writes.Enqueue(new Write(node, i, sent, clock.Elapsed, 0, "no answer", e.Message));
            }
        }
    });

    private static (string Title, string Detail) Problem(string body)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            return (problem.GetProperty("title").GetString() ?? "", problem.GetProperty("detail").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return ("not problem details", body);
        }
    }

    [Fact]
    public async Task A_cluster_should_serve_answer_reads_and_refuse_writes_with_the_reason_while_its_journal_is_down_and_resume_by_itself()
    {
        await _cluster.StartAsync(3);
        var backends = Enumerable.Range(0, Backends).Select(i => Backend(i, _cluster.A, weight: 1));
        await Nodes[0].PostOkAsync("/api/backends?wait=true", $$"""{"backends":[{{string.Join(",", backends)}}]}""");
        await Nodes[1].PutOkAsync("/api/routes?wait=true", """{"host":"outage.test","path":"","backend":"o0"}""");
        await NodeCluster.ServeAsync(Nodes, "outage.test", "a");

        var clock = Stopwatch.StartNew();
        var writes = new ConcurrentQueue<Write>();
        using var stop = new CancellationTokenSource();
        var streams = new[] { StreamAsync(0, clock, writes, stop.Token), StreamAsync(1, clock, writes, stop.Token) };
        await Eventually.True(() => Task.FromResult(writes.Count(w => w.Status == HttpStatusCode.OK) >= 20), TimeSpan.FromSeconds(60),
            "20 changes stored before the outage");

        await _cluster.Postgres.PauseAsync();
        var down = clock.Elapsed;
        using var client = Clients.H2c();
        var probes = 0;
        // the outage: a bounded probe loop (a node a round, ten rounds a second) while the stream runs, for 20 s on the clock
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (clock.Elapsed - down < Outage && probes < 1_000)
        {
            await pace.WaitForNextTickAsync();
            var node = Nodes[probes++ % Nodes.Count];
            Assert.False(node.HasExited, $"the node on {node.Settings.AdminUrl} exited during the outage:\n{node.Output}");
            var (status, body, _) = await client.FetchAsync(node.PlainUrl + "/", "outage.test");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.StartsWith("server=a ", body);
            using var list = await node.Admin.GetAsync("/api/backends");
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using var state = await node.Admin.GetAsync("/api/status");
            Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        }
        Assert.True(clock.Elapsed - down >= Outage, $"the probe loop ran out after {probes} rounds");
        await _cluster.Postgres.ResumeAsync();
        var up = clock.Elapsed;

        // writes to every backend (their writers spread over the three nodes) are stored again by themselves, through
        // both nodes, within seconds: Akka's circuit breakers in front of the journal once kept writers from reading it
        // for 30-60 s after it was back (40 s here)
        bool StoredAgain(Write w) => w.Sent > up && w.Status == HttpStatusCode.OK;
        await Eventually.True(() => Task.FromResult(writes.Where(StoredAgain).Select(w => w.Backend).Distinct().Count() == Backends
                && writes.Where(StoredAgain).Select(w => w.Node).Distinct().Count() == 2),
            TimeSpan.FromSeconds(20), "changes to every backend stored again through both nodes within 20 s of the journal coming back");
        await stop.CancelAsync();
        await Task.WhenAll(streams);

        // sent well into the outage (a change in flight when it began may still have been stored): refused, saying
        // why in the journal's own words (not merely that the change reached no writer)
        var during = writes.Where(w => w.Sent > down + TimeSpan.FromSeconds(2) && w.Answered < up).ToList();
        output.WriteLine($"{writes.Count} changes, {during.Count} during the outage, answered within {during.Select(w => w.Answered - w.Sent).DefaultIfEmpty().Max().TotalSeconds:0.0} s: "
            + string.Join("; ", during.GroupBy(w => $"{(int)w.Status} {w.Detail[..Math.Min(90, w.Detail.Length)]}").Select(g => $"{g.Count()}× {g.Key}")));
        output.WriteLine($"stored again {writes.Where(StoredAgain).Select(w => w.Answered - up).DefaultIfEmpty().Min().TotalSeconds:0.0} s after the journal was back, every backend by {writes.Where(StoredAgain).GroupBy(w => w.Backend).Select(g => g.Min(w => w.Answered) - up).Max().TotalSeconds:0.0} s");
        Assert.True(during.Count(w => w.Node == 0) >= 1 && during.Count(w => w.Node == 1) >= 1, $"{during.Count} changes sent during the outage");
        Assert.All(during, w =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, w.Status);
            Assert.Equal("Not stored", w.Title);
            Assert.Contains("the journal could not", w.Detail);
        });

        // a last change through each node is served by every HAProxy, and all three agree
        await Nodes[0].PutOkAsync("/api/backends/o0?wait=true", Backend(0, _cluster.B, weight: 7));
        await Nodes[1].PutOkAsync($"/api/backends/o{Backends - 1}?wait=true", Backend(Backends - 1, _cluster.B, weight: 7));
        await NodeCluster.ServeAsync(Nodes, "outage.test", "b");
        var statuses = await _cluster.ConvergedAsync(3);
        Assert.Single(statuses.Select(s => (s.GetProperty("desiredHash").GetString(), s.GetProperty("appliedHash").GetString())).Distinct());
        Assert.All(Nodes, node => Assert.False(node.HasExited));
    }
}
