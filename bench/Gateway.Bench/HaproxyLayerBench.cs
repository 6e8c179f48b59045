using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// The HAProxy layer on its own (issue 2): runtime API latency and batched throughput against the
/// floor of raw pipelined socket writes measured in the same run, and config transaction time
/// (render, haproxy -c, reload until the new worker serves) for 10 / 1,000 / 10,000 backends.
/// </summary>
public static class HaproxyLayerBench
{
    private const int Runs = 5;
    private const int Batch = 1000;
    private const int BatchRuns = 31;

    public static async Task<IReadOnlyList<Table>> RunAsync()
    {
        var runtime = await RuntimeAsync();
        var transaction = await TransactionsAsync([10, 1_000, 10_000]);
        return [runtime, transaction];
    }

    private static Backend Backend(int index, int servers = 4) => new()
    {
        Name = $"be{index:D5}",
        HealthCheck = new HealthCheck { Enabled = false },
        Servers = Enumerable.Range(0, servers)
            .Select(s => new BackendServer { Name = $"s{s}", IP = $"127.{index / 250 % 250}.{index % 250}.{s % 250 + 1}", Port = 10_000 + s })
            .ToList(),
    };

    private static async Task<Table> RuntimeAsync()
    {
        await using var haproxy = await HaproxyUnderTest.StartAsync([Backend(0, servers: Batch)]);
        var client = haproxy.Runtime;
        var commands = Enumerable.Range(0, Batch)
            .Select(i => RuntimeCommands.SetAddress("be00000", $"s{i}", $"127.1.{i / 250}.{i % 250 + 1}", 20_000 + i))
            .ToList();
        await client.ExecuteAsync(commands); // warm up

        var single = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await client.ExecuteAsync(commands[i % Batch]);
            single.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (!reply.Ok)
                throw new InvalidOperationException(reply.ToString());
        }

        var batched = new List<double>();
        var raw = new List<double>();
        for (var run = 0; run < BatchRuns; run++)
        {
            var started = Stopwatch.GetTimestamp();
            var replies = await client.ExecuteAsync(commands);
            batched.Add(Batch / Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (replies.Any(r => !r.Ok))
                throw new InvalidOperationException(replies.First(r => !r.Ok).ToString());
            raw.Add(await RawFloorAsync(haproxy.Layout.RuntimeSocket, commands));
        }

        var table = new Table("Runtime API (HAProxy 2.6, one stats socket, prompt mode)", "measure", "median", "p99 / slowest run", "unit");
        table.Add("one command, request/response (2,000 sent)", Stats.Median(single), Stats.Percentile(single, 99), "µs");
        table.Add($"{Batch} `set server addr` batched, RuntimeApiClient ({BatchRuns} runs)", Stats.Median(batched), batched.Min(), "changes/s");
        table.Add($"{Batch} commands, raw pipelined socket writes, the floor ({BatchRuns} runs, interleaved)", Stats.Median(raw), raw.Min(), "changes/s");
        table.Add("client / raw floor", Stats.Median(batched) / Stats.Median(raw), "", "ratio of medians");
        return table;
    }

    /// <summary>The floor: the same commands written as fast as one socket takes them, replies only counted.</summary>
    private static async Task<double> RawFloorAsync(string socketPath, IReadOnlyList<RuntimeCommand> commands)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        var prompt = Encoding.ASCII.GetBytes("prompt\n");
        var payload = Encoding.ASCII.GetBytes(string.Concat(commands.Select(c => c.Text + "\n")));
        var buffer = new byte[1 << 16];
        await socket.SendAsync(prompt);
        await CountPromptsAsync(socket, buffer, 1);
        var started = Stopwatch.GetTimestamp();
        var send = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += 16 * 1024)
                await socket.SendAsync(payload.AsMemory(offset, Math.Min(16 * 1024, payload.Length - offset)));
        });
        await CountPromptsAsync(socket, buffer, commands.Count);
        await send;
        return commands.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task CountPromptsAsync(Socket socket, byte[] buffer, int count)
    {
        var seen = 0;
        var state = 0;
        while (seen < count)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
                throw new EndOfStreamException();
            for (var i = 0; i < read; i++)
            {
                state = buffer[i] switch
                {
                    (byte)'\n' => 1,
                    (byte)'>' when state == 1 => 2,
                    (byte)' ' when state == 2 => 3,
                    _ => 0,
                };
                if (state == 3)
                {
                    seen++;
                    state = 0;
                }
            }
        }
    }

    private static async Task<Table> TransactionsAsync(int[] sizes)
    {
        var table = new Table("Config transaction: render → haproxy -c → atomic write → reload until the new worker serves (4 servers per backend, checks off)",
            "backends", "render ms", "check ms", "reload ms", "total ms (median)", "total ms (max)", "config KiB");
        foreach (var size in sizes)
        {
            await using var haproxy = await HaproxyUnderTest.StartAsync(Enumerable.Range(0, size).Select(i => Backend(i)));
            var (render, check, reload, total) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
            var bytes = 0;
            for (var run = 0; run < Runs; run++)
            {
                // A real change each run: one more backend, so the hash moves and a reload is due.
                haproxy.Backends.Add(Backend(size + run));
                var started = Stopwatch.GetTimestamp();
                var rendered = haproxy.Render();
                var renderTime = Stopwatch.GetElapsedTime(started);
                var result = await haproxy.Transaction.CommitAsync(rendered, haproxy.Backends, $"bench: {size} backends, run {run}", reload: true);
                var totalTime = Stopwatch.GetElapsedTime(started);
                if (result.Outcome != CommitOutcome.Reloaded)
                    throw new InvalidOperationException($"{result.Outcome}: {string.Join("; ", result.Errors)}");
                render.Add(renderTime.TotalMilliseconds);
                check.Add(result.CheckTime.TotalMilliseconds);
                reload.Add(result.ReloadTime.TotalMilliseconds);
                total.Add(totalTime.TotalMilliseconds);
                bytes = rendered.Config.Length;
            }
            table.Add(size, Stats.Median(render), Stats.Median(check), Stats.Median(reload), Stats.Median(total), total.Max(), bytes / 1024);
            Console.WriteLine($"  {size} backends: total median {Stats.Median(total):0} ms");
        }
        return table;
    }
}
