namespace Gateway.Actors.Haproxy;

/// <summary>
/// Where the files of one HAProxy instance live, all under one directory: the configuration,
/// map files, sockets, pid file and server-state file.
/// </summary>
public sealed record HaproxyLayout(string Directory)
{
    /// <summary>Unix socket paths are limited to 107 bytes by the kernel.</summary>
    public const int MaxSocketPath = 107;

    public string ConfigPath => Path.Combine(Directory, "haproxy.cfg");
    public string MapsDirectory => Path.Combine(Directory, "maps");
    public string HostPathMap => Path.Combine(MapsDirectory, "hostpath.map");
    public string PathMap => Path.Combine(MapsDirectory, "path.map");
    public string RuntimeSocket => Path.Combine(Directory, "haproxy.sock");
    public string MasterSocket => Path.Combine(Directory, "master.sock");
    public string PidFile => Path.Combine(Directory, "haproxy.pid");
    public string ServerStateFile => Path.Combine(Directory, "server-state");

    public IEnumerable<string> MapFiles => [HostPathMap, PathMap];

    public static HaproxyLayout Under(string directory)
    {
        var layout = new HaproxyLayout(System.IO.Path.GetFullPath(directory));
        if (System.Text.Encoding.UTF8.GetByteCount(layout.MasterSocket) > MaxSocketPath)
            throw new ArgumentException($"HAProxy directory [{layout.Directory}] is too long for unix sockets (max {MaxSocketPath} bytes)", nameof(directory));
        return layout;
    }

    /// <summary>Creates the directories and the empty files HAProxy expects to find at its first start.</summary>
    public void EnsureCreated()
    {
        System.IO.Directory.CreateDirectory(Directory);
        System.IO.Directory.CreateDirectory(MapsDirectory);
        foreach (var map in MapFiles)
            if (!File.Exists(map))
                File.WriteAllText(map, "");
        if (!File.Exists(ServerStateFile))
            File.WriteAllText(ServerStateFile, EmptyServerState);
    }

    /// <summary>A state file with only its version line, which HAProxy reads as "no state".</summary>
    internal const string EmptyServerState = "1\n";
}
