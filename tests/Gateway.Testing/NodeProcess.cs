using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Actors.Haproxy;

namespace Gateway.Testing;

/// <summary>
/// A real Gateway node: <c>Gateway.Node.dll</c> from its own build output, started as a separate
/// process with its own data dir, free loopback ports, a known admin token and no demo. Its output
/// is kept for the failure message. Stopping sends SIGTERM (a graceful stop); <see cref="Kill"/>
/// sends SIGKILL (a crash).
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, NodeSettings settings)
    {
        _process = process;
        Settings = settings;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Admin = new HttpClient { BaseAddress = new Uri(settings.AdminUrl), Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public NodeSettings Settings { get; }
    public HttpClient Admin { get; }
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }
    public bool HasExited => _process.HasExited;
    public int ProcessId => _process.Id;
    public int ExitCode => _process.ExitCode;
    public string PlainUrl => $"http://127.0.0.1:{Settings.HttpPort}";
    public string TlsUrl => $"https://127.0.0.1:{Settings.HttpsPort}";
    public HaproxyLayout Layout => HaproxyLayout.Under(Path.Combine(Settings.DataDir, "haproxy"));

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    /// <summary>Where the node binary is: its own output folder, in the configuration these tests were built in.</summary>
    public static string NodeDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(Repository.Root, "src", "Gateway.Node", "bin", configuration, "net10.0", "Gateway.Node.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Gateway.Node first", dll);
    }

    /// <summary>Starts a node and waits until /readyz answers 200.</summary>
    public static async Task<NodeProcess> StartAsync(NodeSettings settings, TimeSpan? readyWithin = null)
    {
        var node = Launch(settings);
        try
        {
            await node.WaitReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public static NodeProcess Launch(NodeSettings settings)
    {
        var dll = settings.NodeDll ?? NodeDll();
        // Through env, which execs dotnet (same pid) with SIGINT and SIGQUIT at their defaults: a suite started in the
        // background of a non-interactive shell has them ignored, a child inherits that, and .NET then keeps them ignored
        // (as for nohup), so the Ctrl-C spec saw its node ignore SIGINT
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT,QUIT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(dll);
        foreach (var argument in settings.Arguments())
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in settings.Environment)
            start.Environment[name] = value;
        return new NodeProcess(Process.Start(start)!, settings);
    }

    public async Task WaitReadyAsync(TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var lastAnswer = "none";
        while (deadline.Elapsed < within)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"node exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await probe.GetAsync(Settings.AdminUrl + "/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                lastAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or still starting its actors
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"node not ready within {within.TotalSeconds:0}s; /readyz last answered: {lastAnswer}\n{Output}");
    }

    public async Task<JsonElement> StatusAsync()
    {
        using var response = await Admin.GetAsync("/api/status");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<long> ReloadsAsync() => (await StatusAsync()).GetProperty("reloads").GetInt64();

    public async Task<HttpResponseMessage> PutJsonAsync(string path, string json) =>
        await Admin.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>PUT that must succeed; a refusal throws with the node's answer.</summary>
    public async Task PutOkAsync(string path, string json)
    {
        using var response = await PutJsonAsync(path, json);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        await Admin.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>POST that must succeed; a refusal throws with the node's answer.</summary>
    public async Task PostOkAsync(string path, string json)
    {
        using var response = await PostJsonAsync(path, json);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Waits until the process ended and its output is read to the end.</summary>
    public async Task WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGTERM (or <paramref name="signal"/>, e.g. SIGINT for Ctrl-C) and wait: the node stops gracefully (and stops its HAProxy unless told to keep it).</summary>
    public async Task StopAsync(TimeSpan? within = null, int signal = Posix.SIGTERM)
    {
        if (_process.HasExited)
            return;
        Posix.Signal(_process.Id, signal);
        var wait = within ?? TimeSpan.FromSeconds(30);
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // what it was doing when it did not stop is the only clue a failed run leaves
            var lines = Output.Split('\n');
            throw new TimeoutException($"node {_process.Id} still running {wait.TotalSeconds:0} s after signal {signal}; its last output:\n"
                + string.Join('\n', lines.TakeLast(40)));
        }
    }

    /// <summary>SIGKILL: a crash, nothing cleaned up.</summary>
    public async Task Kill()
    {
        if (_process.HasExited)
            return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException)
        {
            await Kill();
        }
        Admin.Dispose();
        _process.Dispose();
    }
}

/// <summary>How a test node is configured: everything on loopback and free ports, in one data dir.</summary>
public sealed record NodeSettings(string DataDir)
{
    public int HttpPort { get; init; } = FreePort.Next();
    public int HttpsPort { get; init; } = FreePort.Next();
    public int AdminPort { get; init; } = FreePort.Next();
    public string AdminUrl => $"http://127.0.0.1:{AdminPort}";
    public bool KeepHaproxyRunning { get; init; }

    /// <summary>Gateway:Demo; null leaves it to the node's default (off).</summary>
    public bool? Demo { get; init; } = false;
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>Environment variables for the node's process (and so its HAProxy) beside the suite's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Another build's Gateway.Node.dll (the bench compares builds side by side); null: this checkout's.</summary>
    public string? NodeDll { get; init; }

    public IEnumerable<string> Arguments()
    {
        string[] defaults =
        [
            $"--Gateway:DataDir={DataDir}",
            $"--Gateway:Frontend:HTTPPort={HttpPort}",
            $"--Gateway:Frontend:HTTPSPort={HttpsPort}",
            "--Gateway:Frontend:HTTPSEnabled=true",
            "--Gateway:Frontend:IPv4BindAddr=127.0.0.1",
            "--Gateway:Frontend:IPv6BindAddr=",
            $"--Gateway:Admin:Url={AdminUrl}",
            $"--Gateway:Admin:Token={NodeProcess.Token}",
            "--Gateway:Manager:SyncPeriod=1s",
            "--Gateway:Manager:MinReloadInterval=200ms",
            $"--Gateway:Haproxy:KeepRunning={KeepHaproxyRunning}",
        ];
        return defaults.Concat(Demo is { } demo ? [$"--Gateway:Demo={demo}"] : []).Concat(Extra);
    }
}
