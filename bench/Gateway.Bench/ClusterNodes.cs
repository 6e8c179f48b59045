using Gateway.Actors.Haproxy;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Bench;

/// <summary>
/// Gateway node processes on loopback joined into one cluster over a database of their own on the
/// bench's throwaway PostgreSQL: free ports, a data dir and an HAProxy per node. Node i (from 1)
/// connects to the journal as <c>gw-node{i}</c> (PostgreSQL's <c>application_name</c>, which tells
/// which node wrote a row) with a pool of 20, so a fourth node fits under PostgreSQL's 100
/// connections. Disposing stops every node (SIGTERM, then SIGKILL), kills any HAProxy a node left
/// serving (its master pid from the layout's pid file) and removes the data dirs;
/// <see cref="AbortAll"/> kills what every cluster not yet disposed runs and removes its dirs, at once, for Ctrl-C.
/// With <c>GATEWAY_BENCH_LOGS=dir</c> each node's output is written there when it is stopped.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private static readonly List<ClusterNodes> Live = [];

    private readonly string _connectionString;
    private readonly IReadOnlyList<string> _extra;
    private readonly List<TempDir> _dirs = [];
    private readonly int _seedPort = FreePort.Next();
    private readonly string _database;

    private ClusterNodes(string database, string connectionString, IReadOnlyList<string> extra)
    {
        _database = database;
        _connectionString = connectionString;
        _extra = extra;
        lock (Live)
            Live.Add(this);
    }

    public List<NodeProcess> Nodes { get; } = [];

    /// <summary>The journal's database, as the bench reads it.</summary>
    public string ConnectionString => _connectionString;

    public string Seed => $"akka.tcp://gateway@127.0.0.1:{_seedPort}";

    /// <summary>Creates <paramref name="database"/> on <paramref name="postgres"/> and starts <paramref name="count"/> nodes: the seed, then the others together.</summary>
    public static async Task<ClusterNodes> StartAsync(PostgresServer postgres, string database, int count, IReadOnlyList<string> extra)
    {
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {database}";
            await create.ExecuteNonQueryAsync();
        }
        var cluster = new ClusterNodes(database, new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString, extra);
        try
        {
            await cluster.AddAsync(TimeSpan.FromSeconds(90));
            var others = Enumerable.Range(0, count - 1).Select(_ => cluster.Launch()).ToList();
            await Task.WhenAll(others.Select(node => node.WaitReadyAsync(TimeSpan.FromSeconds(90))));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node, with an empty data dir, and waits until it is ready.</summary>
    public async Task<NodeProcess> AddAsync(TimeSpan readyWithin)
    {
        var node = Launch();
        await node.WaitReadyAsync(readyWithin);
        return node;
    }

    /// <summary>Launches one more node with an empty data dir without waiting (a join is timed from here).</summary>
    public NodeProcess Launch()
    {
        var node = NodeProcess.Launch(Settings());
        Nodes.Add(node);
        return node;
    }

    /// <summary>
    /// The nodes' binary when not this checkout's build output: <c>GATEWAY_BENCH_CLUSTER_NODE=/path/to/Gateway.Node.dll</c>
    /// (another build, or a ReadyToRun publish of this one), to compare one run of each.
    /// </summary>
    public static readonly string? OtherBuild = Environment.GetEnvironmentVariable("GATEWAY_BENCH_CLUSTER_NODE") is { Length: > 0 } dll
        ? Path.GetFullPath(dll)
        : null;

    /// <summary>The next node's settings: remoting on the seed's port for the first node, a free one for the others.</summary>
    private NodeSettings Settings()
    {
        var dir = new TempDir("gwcb");
        _dirs.Add(dir);
        var index = _dirs.Count;
        var journal = new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = $"gw-node{index}", MaxPoolSize = 20 }.ConnectionString;
        return new NodeSettings(dir.Path)
        {
            NodeDll = OtherBuild,
            Extra =
            [
                "--Gateway:Persistence:Provider=PostgreSql", $"--Gateway:Persistence:ConnectionString={journal}",
                "--Gateway:Cluster:Hostname=127.0.0.1", $"--Gateway:Cluster:Port={(index == 1 ? _seedPort : FreePort.Next())}",
                $"--Gateway:Cluster:SeedNodes:0={Seed}", .. _extra,
            ],
        };
    }

    /// <summary>The node that connects as <paramref name="applicationName"/> (gw-node3 → the third started), counted from 1.</summary>
    public static int NodeNumber(string applicationName) => int.Parse(applicationName["gw-node".Length..], System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        lock (Live)
            Live.Remove(this);
        var logs = Environment.GetEnvironmentVariable("GATEWAY_BENCH_LOGS");
        foreach (var (node, i) in Nodes.Select((node, i) => (node, i)))
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (Exception e)
            {
                Console.WriteLine($"  stopping the node on {node.Settings.AdminUrl}: {e.Message}");
            }
            KillHaproxy(node);
            if (!string.IsNullOrEmpty(logs))
            {
                Directory.CreateDirectory(logs);
                await File.WriteAllTextAsync(Path.Combine(logs, $"{_database}-node{i + 1}.log"), node.Output);
            }
        }
        Nodes.Clear();
        foreach (var dir in _dirs)
            dir.Dispose();
        _dirs.Clear();
    }

    /// <summary>SIGKILL to every node of every cluster not yet disposed and to its HAProxy, no waiting: for Ctrl-C. Answers how many nodes.</summary>
    public static int AbortAll()
    {
        lock (Live)
        {
            var nodes = Live.SelectMany(cluster => cluster.Nodes.ToList()).ToList();
            foreach (var node in nodes)
            {
                Posix.Signal(node.ProcessId, Posix.SIGKILL);
                KillHaproxy(node);
            }
            foreach (var dir in Live.SelectMany(cluster => cluster._dirs))
                dir.Dispose(); // also kills any HAProxy still running on its files
            Live.Clear();
            return nodes.Count;
        }
    }

    /// <summary>A node's HAProxy keeps serving when the node is killed: its master, from the pid file.</summary>
    private static void KillHaproxy(NodeProcess node)
    {
        try
        {
            if (File.Exists(node.Layout.PidFile) && int.TryParse(File.ReadAllText(node.Layout.PidFile).Trim(), out var master))
                Posix.Signal(master, Posix.SIGKILL);
        }
        catch (IOException)
        {
            // the dir is going away; TempDir's dispose kills any HAProxy left on its files
        }
    }
}
