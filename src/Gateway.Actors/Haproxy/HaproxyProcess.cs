using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// One HAProxy master process in master-worker mode: start it, adopt one already running (pid
/// file + master socket), tell whether it still runs, stop it gracefully. HAProxy is started in a
/// session of its own (<c>setsid</c>) so a Ctrl-C meant for the node does not kill it, and so it
/// can outlive the node and be adopted by the next one.
/// </summary>
public sealed class HaproxyProcess
{
    private const int OutputLines = 100;

    private readonly HaproxyLayout _layout;
    private readonly HaproxyOptions _options;
    private readonly ILogger _log;
    private readonly MasterCli _master;
    private readonly Queue<string> _output = new();
    private Process? _child;
    private Task _childExited = Task.CompletedTask;

    public HaproxyProcess(HaproxyLayout layout, HaproxyOptions options, ILogger? logger = null)
    {
        _layout = layout;
        _options = options;
        _log = logger ?? NullLogger.Instance;
        _master = new MasterCli(layout.MasterSocket);
    }

    public int? MasterPid { get; private set; }

    /// <summary>True when this instance found HAProxy running rather than starting it.</summary>
    public bool Adopted { get; private set; }

    /// <summary>The last lines HAProxy printed (only for a process this instance started).</summary>
    public IReadOnlyList<string> RecentOutput
    {
        get { lock (_output) return _output.ToArray(); }
    }

    public bool IsRunning => MasterPid is { } pid && Posix.IsRunning(pid);

    /// <summary>
    /// Completes when the master should be looked at again: when it exits, for one this instance
    /// started (its exit is signalled; <paramref name="poll"/> is only a safety net); after
    /// <paramref name="poll"/>, for one it adopted, which can only be polled.
    /// </summary>
    public async Task NextCheckAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        if (Adopted || _child is null || _child.Id != MasterPid)
        {
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            return;
        }
        await Task.WhenAny(_childExited, Task.Delay(SafetyPoll, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>How often a master this instance started is looked at although no exit was signalled.</summary>
    private static readonly TimeSpan SafetyPoll = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Takes over an HAProxy left running by an earlier node: the pid file names a live haproxy
    /// whose master socket answers with that pid.
    /// </summary>
    public async Task<bool> TryAdoptAsync(CancellationToken cancellationToken)
    {
        var pid = ReadPidFile();
        if (pid is null || !Posix.IsRunning(pid.Value) || !Posix.CommandLine(pid.Value).Contains("haproxy", StringComparison.Ordinal))
            return false;
        try
        {
            var proc = await _master.ShowProcAsync(cancellationToken, connectFor: TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            if (proc.MasterPid != pid || proc.CurrentWorker is null)
                return false;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            return false;
        }
        MasterPid = pid;
        Adopted = true;
        _log.LogInformation("Adopted running HAProxy master [{Pid}] from [{PidFile}]", pid, _layout.PidFile);
        return true;
    }

    /// <summary>Starts HAProxy on the configuration on disk and waits until a worker serves.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        File.Delete(_layout.PidFile);
        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList = { _options.Binary, "-W", "-S", $"{_layout.MasterSocket},mode,600", "-f", _layout.ConfigPath, "-p", _layout.PidFile },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = _layout.Directory,
        };
        var child = Process.Start(start) ?? throw new InvalidOperationException("could not start haproxy");
        // Exited, not WaitForExitAsync: that also waits for the end of the output, which workers may hold open.
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.Exited += (_, _) => exited.TrySetResult();
        child.EnableRaisingEvents = true;
        if (child.HasExited)
            exited.TrySetResult();
        _childExited = exited.Task;
        child.OutputDataReceived += (_, e) => Capture(e.Data);
        child.ErrorDataReceived += (_, e) => Capture(e.Data);
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        _child?.Dispose();
        _child = child;
        Adopted = false;

        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < _options.ReloadTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadPidFile() is { } pid && Posix.IsRunning(pid))
            {
                try
                {
                    var proc = await _master.ShowProcAsync(cancellationToken, connectFor: TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
                    if (proc.MasterPid == pid && proc.CurrentWorker is { } worker)
                    {
                        MasterPid = pid;
                        _log.LogInformation("Started HAProxy master [{Pid}] with worker [{Worker}] on [{Config}]", pid, worker.Pid, _layout.ConfigPath);
                        return;
                    }
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
                {
                    // not listening yet
                }
            }
            else if (child.HasExited && ReadPidFile() is null)
            {
                throw new InvalidOperationException($"HAProxy exited with {child.ExitCode} at start: {string.Join(" | ", RecentOutput)}");
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"HAProxy did not serve within {_options.ReloadTimeout.TotalSeconds:0.#}s: {string.Join(" | ", RecentOutput)}");
    }

    /// <summary>Soft stop (SIGUSR1: finish requests in flight), then SIGTERM and SIGKILL if the grace runs out.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (MasterPid is not { } pid || !Posix.IsRunning(pid))
            return;
        _log.LogInformation("Stopping HAProxy master [{Pid}]", pid);
        Posix.Signal(pid, Posix.SIGUSR1);
        if (await WaitForExitAsync(pid, grace, cancellationToken).ConfigureAwait(false))
            return;
        _log.LogWarning("HAProxy master [{Pid}] still running after [{Grace}] s; terminating", pid, grace.TotalSeconds);
        Posix.Signal(pid, Posix.SIGTERM);
        if (!await WaitForExitAsync(pid, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false))
            Posix.Signal(pid, Posix.SIGKILL);
    }

    private static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (!Posix.IsRunning(pid))
                return true;
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        return !Posix.IsRunning(pid);
    }

    private int? ReadPidFile()
    {
        try
        {
            var text = File.ReadAllText(_layout.PidFile).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void Capture(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return;
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > OutputLines)
                _output.Dequeue();
        }
        _log.Log(HaproxyOutput.LevelOf(line), "HAProxy: {Line}", line);
    }
}
