using System.Diagnostics;

namespace Gateway.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for one test class: initdb into a temp dir, started on a free
/// loopback port, stopped and removed on dispose. Needs the Debian postgresql-15 binaries and root
/// (it runs them as the postgres user), as on this project's machines and CI.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir;

    private PostgresServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static async Task<PostgresServer> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Bin}); run scripts/install-deps.sh --test");
        var dir = Path.Combine("/tmp", $"gwpg-{Guid.NewGuid():N}"[..13]);
        Directory.CreateDirectory(dir);
        await RunAsync("chown", "postgres", dir);
        var port = FreePort.Next();
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "initdb"), "-D", Path.Combine(dir, "data"), "-A", "trust", "-U", "postgres");
        var server = new PostgresServer(dir, port);
        await server.ResumeAsync();
        return server;
    }

    /// <summary>Starts the cluster (again).</summary>
    public Task ResumeAsync() =>
        RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "log"),
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start");

    /// <summary>Stops the cluster: the journal becomes unreachable.</summary>
    public Task PauseAsync() =>
        RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "fast", "stop");

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_dir, "data", "postmaster.pid")))
            await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "immediate", "stop");
        Directory.Delete(_dir, recursive: true);
    }
}
