using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// HAProxy's master CLI (<c>-S master.sock</c>): one command per connection, the reply is read to
/// the end. The master refuses connections for a moment while it re-executes during a reload, so
/// connecting is retried for a short while.
/// </summary>
public sealed class MasterCli(string socketPath)
{
    public string SocketPath => socketPath;

    public async Task<string> SendAsync(string command, CancellationToken cancellationToken, TimeSpan? connectFor = null)
    {
        var connecting = System.Diagnostics.Stopwatch.StartNew(); // not the wall clock: a step of it must not stretch the retries
        var retryFor = connectFor ?? TimeSpan.FromSeconds(2);
        while (true)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException) when (connecting.Elapsed < retryFor)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                continue;
            }
            // The master answers once the client half-closes, then closes the connection itself.
            await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReplyTimeout);
            var reply = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false)) > 0)
                reply.Write(buffer, 0, read);
            return Encoding.UTF8.GetString(reply.GetBuffer(), 0, (int)reply.Length);
        }
    }

    /// <summary>How long a reply may take once connected.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    public async Task<ProcInfo> ShowProcAsync(CancellationToken cancellationToken, TimeSpan? connectFor = null) =>
        ProcInfo.Parse(await SendAsync("show proc", cancellationToken, connectFor).ConfigureAwait(false));
}

/// <summary>
/// What <c>show proc</c> says: the master's pid, its reload count and failed-reload counter, and
/// the workers with their own reload counts (0 for the newest generation).
/// </summary>
public sealed record ProcInfo(int MasterPid, int Reloads, int FailedReloads, IReadOnlyList<WorkerInfo> Workers)
{
    /// <summary>The worker serving the current configuration, if one runs.</summary>
    public WorkerInfo? CurrentWorker => Workers.FirstOrDefault(w => w.Reloads == 0);

    public static ProcInfo Parse(string text)
    {
        int master = 0, reloads = 0, failed = 0;
        var workers = new List<WorkerInfo>();
        var section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (line.StartsWith('#'))
            {
                section = line.StartsWith("#<PID>", StringComparison.Ordinal) ? "" : line.TrimStart('#', ' ');
                continue;
            }
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (fields[1] == "master")
            {
                master = pid;
                reloads = Int(fields[2]);
                var at = line.IndexOf("failed:", StringComparison.Ordinal);
                if (at >= 0)
                    failed = Int(new string(line[(at + 7)..].TrimStart().TakeWhile(char.IsAsciiDigit).ToArray()));
            }
            else if (fields[1] == "worker" && section is "workers" or "old workers")
            {
                workers.Add(new WorkerInfo(pid, Int(fields[2])));
            }
        }
        return new ProcInfo(master, reloads, failed, workers);
    }

    private static int Int(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
}

/// <summary>One worker process and how many reloads ago it was started.</summary>
public sealed record WorkerInfo(int Pid, int Reloads);
