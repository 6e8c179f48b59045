using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Actors.Haproxy;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Scripts;

/// <summary>
/// scripts/cluster.sh as the README tells a newcomer to use it: the commands it prints work (a
/// change through node 1 is served by node 3's HAProxy), and Ctrl-C leaves nothing of the run behind.
/// </summary>
public sealed partial class ClusterScriptSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    // Generous: the script installs what is missing, starts PostgreSQL and three nodes on a shared 2-core machine.
    private static readonly TimeSpan Ready = TimeSpan.FromMinutes(5);
    // The script bounds its own stop: 60 s for the nodes' graceful leave, then SIGKILL; PostgreSQL's
    // fast stop (pg_ctl waits up to 60 s); 5 s for anything else of the run, then SIGKILL.
    private static readonly TimeSpan Stopped = TimeSpan.FromMinutes(3);

    private readonly StringBuilder _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _script;

    private string Output
    {
        get { lock (_lines) return _lines.ToString(); }
    }

    [Fact]
    public async Task Cluster_script_should_serve_a_change_through_node_1_on_node_3_and_leave_nothing_running_after_ctrl_c()
    {
        Start(NoBuild() ? ["--no-build", "3"] : ["3"]);
        await WaitReadyAsync();
        var printed = Output;
        var runDir = RunDir().Match(printed).Groups[1].Value;
        var pids = Pids(printed);
        Assert.True(pids.Count >= 3 * 2 + 2, $"expected the pids of 3 nodes, their HAProxies, the demo backend and PostgreSQL:\n{printed}");

        // the change through node 1, exactly as printed
        var change = string.Join('\n', printed.Split('\n').Where(l => l.StartsWith("  T=", StringComparison.Ordinal) || l.StartsWith("  curl -X PUT ", StringComparison.Ordinal)));
        var (code, answers) = await BashAsync("set -euo pipefail\n" + change.Replace("curl -X PUT", "curl --fail-with-body -sS -X PUT", StringComparison.Ordinal));
        Assert.True(code == 0, $"the printed change failed ({code}): {answers}\n{change}");
        var node3 = int.Parse(NodeHttpPort().Match(printed).Groups[1].Value);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.True(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{node3}/");
            request.Headers.Host = "shop.test";
            using var response = await client.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains("Hello from the demo backend");
        }, TimeSpan.FromSeconds(60), "shop.test served by node 3's HAProxy");

        var scriptOutput = OutputPipe(_script!.Id);
        await CtrlCAsync();
        await Eventually.True(() => Task.FromResult(_script.HasExited), Stopped, "cluster.sh stopped after Ctrl-C");
        // A process of the run that outlived the script holds its output open (the pids and the run
        // dir below would miss one that names neither): each is named, with its command line.
        await Eventually.Get(() => Task.FromResult(string.Join("; ", Holding(scriptOutput))), held => held.Length == 0,
            TimeSpan.FromSeconds(30), "nothing holding cluster.sh's output after it exited");
        using (var drained = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await _script.WaitForExitAsync(drained.Token);

        Assert.True(_script.ExitCode == 0, $"cluster.sh exited with {_script.ExitCode}:\n{Output}");
        Assert.Empty(pids.Where(Posix.IsRunning).Select(pid => $"{pid}: {Posix.CommandLine(pid)}"));
        Assert.Empty(ProcessesNaming(runDir));
        Assert.False(Directory.Exists(runDir), $"{runDir} was not removed");
    }

    /// <summary>The test build built the node in Release (the script's build): it need not build again.</summary>
    private static bool NoBuild() =>
        File.Exists(Path.Combine(Repository.Root, "src", "Gateway.Node", "bin", "Release", "net10.0", "Gateway.Node.dll"))
        && AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private void Start(string[] arguments)
    {
        // In a session and process group of its own, as in a terminal of its own (setsid execs: same pid).
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "scripts", "cluster.sh"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        _script = Process.Start(start)!;
        _script.OutputDataReceived += (_, e) => Append(e.Data);
        _script.ErrorDataReceived += (_, e) => Append(e.Data);
        _script.BeginOutputReadLine();
        _script.BeginErrorReadLine();
    }

    /// <summary>
    /// Ctrl-C as a terminal sends it: SIGINT to the script's whole process group, so a command the
    /// script runs in the foreground gets it too. Sent to the script alone, bash discards a SIGINT
    /// that arrives while it waits for a foreground child that does not die of it (the manual's
    /// "wait and cooperative exit"; seen here in a loop of `cat`s). Two full runs lost the first
    /// Ctrl-C sent to the script alone, while the second, sent later, stopped it within seconds.
    /// </summary>
    private async Task CtrlCAsync()
    {
        var (code, answer) = await InterruptGroupAsync();
        Assert.True(code == 0, $"kill -INT -- -{_script!.Id}: {answer}");
    }

    private Task<(int Code, string Output)> InterruptGroupAsync() => BashAsync($"kill -INT -- -{_script!.Id}");

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
            _lines.AppendLine(line);
        if (line.StartsWith("Ctrl-C stops everything", StringComparison.Ordinal))
            _ready.TrySetResult();
    }

    private async Task WaitReadyAsync()
    {
        var exited = _script!.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(Ready));
        if (first != _ready.Task)
            throw new TimeoutException(first == exited
                ? $"cluster.sh exited with {_script.ExitCode} before it was ready:\n{Output}"
                : $"cluster.sh not ready within {Ready.TotalMinutes} minutes:\n{Output}");
    }

    /// <summary>The pids the script printed: nodes and their HAProxy masters (table), the demo backend and PostgreSQL.</summary>
    private static List<int> Pids(string printed) =>
        NodeRow().Matches(printed).SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value })
            .Concat(OtherPids().Matches(printed).Select(m => m.Groups[1].Value))
            .Select(int.Parse).ToList();

    /// <summary>Every live process whose command line names the run dir: nodes, HAProxy masters and workers, postmaster, demo backend.</summary>
    private static List<string> ProcessesNaming(string runDir) =>
        LivePids().Where(pid => Posix.IsRunning(pid) && Posix.CommandLine(pid).Contains(runDir + "/", StringComparison.Ordinal))
            .Select(pid => $"{pid}: {Posix.CommandLine(pid)}").ToList();

    private static IEnumerable<int> LivePids() =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(name => int.Parse(name!));

    /// <summary>The pipe the process writes its output to, as <c>/proc</c> names it (<c>pipe:[inode]</c>).</summary>
    private static string OutputPipe(int pid) =>
        new FileInfo($"/proc/{pid}/fd/1").LinkTarget ?? throw new InvalidOperationException($"no output of process {pid}");

    /// <summary>Every live process with <paramref name="pipe"/> as its standard output or error, with its command line.</summary>
    private static List<string> Holding(string pipe) =>
        LivePids().Where(pid => new[] { 1, 2 }.Any(fd => Target($"/proc/{pid}/fd/{fd}") == pipe))
            .Select(pid => $"{pid}: {Posix.CommandLine(pid)}").ToList();

    private static string? Target(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process ended while it was read
        }
    }

    private static async Task<(int Code, string Output)> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Stops a run the test left (it failed half way): the script's own Ctrl-C path, then SIGKILL.</summary>
    public async Task DisposeAsync()
    {
        if (_script is null)
            return;
        if (!_script.HasExited)
        {
            await InterruptGroupAsync();
            using var timeout = new CancellationTokenSource(Stopped);
            try
            {
                await _script.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _script.Kill();
            }
        }
        output.WriteLine(Output);
        _script.Dispose();
    }

    [GeneratedRegex(@"ready; .* run dir (/\S+)")]
    private static partial Regex RunDir();

    [GeneratedRegex(@"^  node\d+ +http://\S+ +\S+ +\S+ +\d+ +(\d+) +(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex NodeRow();

    [GeneratedRegex(@"pid (\d+)")]
    private static partial Regex OtherPids();

    [GeneratedRegex(@"curl -H 'Host: shop\.test' http://127\.0\.0\.1:(\d+)/ +# node3's HAProxy")]
    private static partial Regex NodeHttpPort();
}
