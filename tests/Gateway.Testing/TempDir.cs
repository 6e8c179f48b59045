namespace Gateway.Testing;

/// <summary>
/// A fresh directory per test, short enough for unix socket paths (107 bytes), removed on dispose.
/// </summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "gw")
    {
        Path = System.IO.Path.Combine("/tmp", $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Also ends any HAProxy still running on files in this directory (a test that failed half way may leave one).</summary>
    public void Dispose()
    {
        foreach (var process in System.Diagnostics.Process.GetProcessesByName("haproxy"))
        {
            if (Gateway.Actors.Haproxy.Posix.CommandLine(process.Id).Contains(Path + "/", StringComparison.Ordinal))
                process.Kill();
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a process we started may still hold a socket file for a moment; /tmp is cleaned anyway
        }
    }
}
