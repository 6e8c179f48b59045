using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gateway.Bench;

/// <summary>
/// The load generators and the h2c backend of the data-plane bench (h2load, wrk, nghttpd), run as
/// processes with bounded counts and a hard time limit, and the CPU time of a process tree.
/// </summary>
public static partial class LoadTools
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>Installs nghttp2-client, nghttp2-server and wrk when one of their binaries is missing (as root, with apt-get).</summary>
    public static async Task EnsureInstalledAsync()
    {
        var missing = new[] { "h2load", "nghttpd", "wrk" }.Where(tool => FindOnPath(tool) is null).ToList();
        if (missing.Count == 0)
            return;
        Console.WriteLine($"installing the load tools ({string.Join(", ", missing)} missing): apt-get install -y nghttp2-client nghttp2-server wrk");
        var (code, output) = await RunAsync("apt-get", "install -y nghttp2-client nghttp2-server wrk");
        if (code != 0)
        {
            await RunAsync("apt-get", "update");
            (code, output) = await RunAsync("apt-get", "install -y nghttp2-client nghttp2-server wrk");
        }
        if (code != 0)
            throw new InvalidOperationException($"could not install the load tools (run as root, or install nghttp2-client nghttp2-server wrk): {output}");
    }

    /// <summary>One h2load run: h2c prior knowledge, <paramref name="clients"/> connections of <paramref name="streams"/> concurrent streams each.</summary>
    public static async Task<LoadResult> H2loadAsync(int port, string? host, int requests, int clients = 16, int streams = 10)
    {
        var authority = host is null ? "" : $"-H ':authority: {host}' ";
        var (code, output) = await RunAsync("sh", $"-c \"h2load -c{clients} -m{streams} -n{requests} {authority}http://127.0.0.1:{port}/index.html\"");
        var rate = H2Rate().Match(output);
        var done = H2Done().Match(output);
        if (code != 0 || !rate.Success || !done.Success || Long(done.Groups["ok"]) != requests || Long(done.Groups["xx"]) != requests)
            throw new InvalidOperationException($"h2load against port {port} did not get {requests} 2xx answers:\n{output}");
        return new LoadResult(Double(rate.Groups["rate"]), requests, double.NaN);
    }

    /// <summary>One h2load run bounded by time (<c>-D</c>, whole seconds): every request it finished got a 2xx.</summary>
    public static async Task<LoadResult> H2loadForAsync(int port, string? host, TimeSpan duration, int clients = 16, int streams = 10)
    {
        var authority = host is null ? "" : $"-H ':authority: {host}' ";
        var (code, output) = await RunAsync("sh", $"-c \"h2load -c{clients} -m{streams} -D {(int)duration.TotalSeconds} {authority}http://127.0.0.1:{port}/index.html\"");
        var rate = H2Rate().Match(output);
        var done = H2Done().Match(output);
        if (code != 0 || !rate.Success || !done.Success || Long(done.Groups["ok"]) == 0 || Long(done.Groups["xx"]) != Long(done.Groups["ok"]))
            throw new InvalidOperationException($"h2load against port {port} for {duration} did not get only 2xx answers:\n{output}");
        return new LoadResult(Double(rate.Groups["rate"]), Long(done.Groups["ok"]), double.NaN);
    }

    /// <summary>One wrk run: HTTP/1.1 keep-alive, bounded by <paramref name="duration"/>.</summary>
    public static async Task<LoadResult> WrkAsync(int port, string? host, TimeSpan duration, int threads = 2, int connections = 32)
    {
        var header = host is null ? "" : $"-H 'Host: {host}' ";
        var (code, output) = await RunAsync("sh",
            $"-c \"wrk -t{threads} -c{connections} -d{(int)duration.TotalSeconds}s --latency {header}http://127.0.0.1:{port}/index.html\"");
        var rate = WrkRate().Match(output);
        var total = WrkTotal().Match(output);
        var p99 = WrkP99().Match(output);
        if (code != 0 || !rate.Success || !total.Success || !p99.Success || output.Contains("Non-2xx", StringComparison.Ordinal)
            || output.Contains("Socket errors", StringComparison.Ordinal))
            throw new InvalidOperationException($"wrk against port {port} failed or got errors:\n{output}");
        var unit = p99.Groups["unit"].Value;
        var ms = Double(p99.Groups["value"]) * (unit == "us" ? 0.001 : unit == "s" ? 1000 : 1);
        return new LoadResult(Double(rate.Groups["rate"]), Long(total.Groups["total"]), ms);
    }

    /// <summary>nghttpd serving a small file over h2c on a loopback port, until disposed.</summary>
    public static async Task<Nghttpd> StartNghttpdAsync(string root, int port)
    {
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), "hello from nghttpd\n");
        var process = Process.Start(new ProcessStartInfo("nghttpd", $"--no-tls --address=127.0.0.1 -d {root} {port}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return new Nghttpd(process, port);
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// Seconds of CPU used by <paramref name="pid"/>'s threads and all its descendants', to the
    /// nanosecond: the scheduler's own account (<c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/schedstat</c>), not
    /// the 10 ms ticks of <see cref="CpuTicks"/>. Threads that ended are not counted; HAProxy's live as long as it does.
    /// </summary>
    public static double CpuSeconds(int pid) =>
        Tasks(pid).Sum(task => File.Exists($"{task}/schedstat")
            ? long.Parse(File.ReadAllText($"{task}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1e9
            : 0) + Children(pid).Sum(CpuSeconds);

    /// <summary>Clock ticks (1/100 s) of CPU used by <paramref name="pid"/> and all its descendants (ended threads included).</summary>
    public static long CpuTicks(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return 0;
        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
            + Children(pid).Sum(CpuTicks);
    }

    private static IEnumerable<string> Tasks(int pid) =>
        Directory.Exists($"/proc/{pid}/task") ? Directory.EnumerateDirectories($"/proc/{pid}/task") : [];

    /// <summary>The processes <paramref name="pid"/>'s threads started, as the kernel lists them.</summary>
    private static List<int> Children(int pid) =>
        Tasks(pid).Where(task => File.Exists($"{task}/children"))
            .SelectMany(task => File.ReadAllText($"{task}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(child => int.Parse(child, CultureInfo.InvariantCulture)).ToList();

    private static async Task<(int Code, string Output)> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} ran over {Limit}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    private static double Double(Group group) => double.Parse(group.Value, CultureInfo.InvariantCulture);
    private static long Long(Group group) => long.Parse(group.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"finished in [0-9.]+m?s, (?<rate>[0-9.]+) req/s")]
    private static partial Regex H2Rate();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (?<ok>\d+) succeeded[\s\S]*status codes: (?<xx>\d+) 2xx")]
    private static partial Regex H2Done();

    [GeneratedRegex(@"Requests/sec:\s+(?<rate>[0-9.]+)")]
    private static partial Regex WrkRate();

    [GeneratedRegex(@"(?<total>\d+) requests in")]
    private static partial Regex WrkTotal();

    [GeneratedRegex(@"99%\s+(?<value>[0-9.]+)(?<unit>us|ms|s)")]
    private static partial Regex WrkP99();

    /// <summary>Requests per second, requests counted, and the p99 latency (wrk only).</summary>
    public readonly record struct LoadResult(double Rate, long Requests, double P99Ms);

    /// <summary>A running nghttpd; killed on dispose.</summary>
    public sealed class Nghttpd(Process process, int port) : IDisposable
    {
        public int Port => port;

        public void Dispose()
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }
}
