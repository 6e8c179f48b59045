using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Gateway.Bench;

// Usage: dotnet run -c Release --project bench/Gateway.Bench -- haproxy
//        dotnet run -c Release --project bench/Gateway.Bench -- node [sustained seconds, default 60] [latency,alone,idle,throughput,burst,memory,wake,wake-pg]
//        GATEWAY_BENCH_BASELINE=<another build's Gateway.Node.dll> runs latency, alone, idle and throughput for both builds, interleaved
//        dotnet run -c Release --project bench/Gateway.Bench -- dataplane [rounds, default 5] [compare,ablation]
//        GATEWAY_BENCH_ABLATION=<key,…> runs only those parts of the ablation beside its baseline (keys in DataPlaneBench.HandConfig.Ablation)
//        GATEWAY_BENCH_SUSTAINED_SECONDS=<n> streams n seconds instead of 25 in the cluster suite
//        GATEWAY_BENCH_CLUSTER_NODE=<a Gateway.Node.dll> starts the cluster suite's nodes from it (another build, a ReadyToRun publish)
//        dotnet run -c Release --project bench/Gateway.Bench -- tags [journal sizes, default 10000,100000] [rounds, default 5] [read,live,catalog,inline]
//        dotnet run -c Release --project bench/Gateway.Bench -- cluster [full|quick] [baseline,rest,latency,reload,sustained,join]
// Prints each table and writes bench/results/<date>-<suite>.md.
var suite = args.FirstOrDefault() ?? "haproxy";
if (suite == KestrelFloor.Suite) // the node bench's own child process, not a suite
{
    await KestrelFloor.ServeAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
    return;
}
var tables = suite switch
{
    "haproxy" => await HaproxyLayerBench.RunAsync(),
    "node" => await NodeBench.RunAsync(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60),
        args.Length > 2 ? args[2].Split(',').ToHashSet() : []),
    "dataplane" => await DataPlaneBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? args[2].Split(',').ToHashSet() : []),
    "tags" => await TagBench.RunAsync(
        (args.Length > 1 ? args[1] : "10000,100000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList(),
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5,
        args.Length > 3 ? args[3].Split(',').ToHashSet() : []),
    "cluster" => await ClusterBench.RunAsync(args.Length > 1 && args[1] == "quick",
        args.Length > 2 ? args[2].Split(',').ToHashSet() : []),
    _ => throw new ArgumentException($"unknown suite '{suite}' (haproxy | node [seconds] | dataplane [rounds] | tags [sizes] [rounds] | cluster [full|quick] [parts])"),
};

// a quick development pass, some of the parts or a longer stream must not overwrite the day's full results
var label = suite switch
{
    "cluster" => string.Join('-', new[]
    {
        "cluster",
        args.Length > 1 && args[1] == "quick" ? "quick" : null,
        args.Length > 2 ? args[2].Replace(',', '+') : null,
        Environment.GetEnvironmentVariable("GATEWAY_BENCH_SUSTAINED_SECONDS") is { Length: > 0 } seconds ? $"{seconds}s" : null,
    }.OfType<string>()),
    "node" or "dataplane" when args.Length > 2 => $"{suite}-{args[2].Replace(',', '+')}",
    _ => suite,
};
var report = new StringBuilder();
report.Append("# Gateway bench: ").Append(label).Append("\n\n");
report.Append("- date: ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append('\n');
report.Append("- machine: ").Append(Environment.ProcessorCount).Append(" cores, ").Append(RuntimeInformation.OSDescription).Append(", .NET ").Append(Environment.Version).Append('\n');
report.Append("- haproxy: ").Append(HaproxyVersion()).Append('\n');
// runtime knobs set for a run (DOTNET_TieredPGO=0, …) change what it measures; the nodes inherit them
var knobs = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)
        && !k.StartsWith("DOTNET_CLI_", StringComparison.Ordinal) && k is not ("DOTNET_NOLOGO" or "DOTNET_ROOT" or "DOTNET_GENERATE_ASPNET_CERTIFICATE" or "DOTNET_HOST_PATH"))
    .Order()
    .Select(k => $"`{k}={Environment.GetEnvironmentVariable(k)}`").ToList();
if (knobs.Count > 0)
    report.Append("- runtime settings from the environment (nodes inherit them): ").AppendJoin(", ", knobs).Append('\n');
if (Environment.GetEnvironmentVariable("GATEWAY_BENCH_ABLATION") is { Length: > 0 } ablation && suite == "dataplane")
    report.Append("- ablation parts (GATEWAY_BENCH_ABLATION): ").Append(ablation).Append('\n');
if (ClusterNodes.OtherBuild is { } otherBuild && suite == "cluster")
    report.Append("- cluster nodes from: ").Append(otherBuild).Append('\n');
report.Append('\n');
foreach (var table in tables)
{
    table.Print();
    report.Append(table.Markdown()).Append('\n');
}

var dir = Path.Combine(FindRepoRoot(), "bench", "results");
Directory.CreateDirectory(dir);
var file = Path.Combine(dir, $"{DateTime.UtcNow:yyyy-MM-dd}-{label}.md");
if (File.Exists(file)) // a second run of the day keeps the first: runs are compared with each other
    file = Path.Combine(dir, $"{DateTime.UtcNow:yyyy-MM-dd}-{label}-{DateTime.UtcNow:HHmm}.md");
File.WriteAllText(file, report.ToString());
Console.WriteLine($"written: {file}");

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
        dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

static string HaproxyVersion()
{
    using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("haproxy", "-v") { RedirectStandardOutput = true })!;
    var first = process.StandardOutput.ReadLine() ?? "";
    process.WaitForExit();
    return first.Trim();
}
