using System.Diagnostics;

namespace Gateway.Testing;

/// <summary>
/// Files no process may write, or directories no process may add a file to (<c>chattr +i</c>; as
/// root, file modes do not stop writes), until disposed: a read-only mount or a full disk, on demand.
/// Paths that do not exist are left out.
/// </summary>
public sealed class Immutable : IDisposable
{
    private readonly string[] _files;

    public Immutable(params string[] files)
    {
        _files = files.Where(Exists).ToArray();
        Chattr("+i", _files);
    }

    /// <summary>Writable again (also what a test that failed half way needs, so the files can be deleted).</summary>
    public void Dispose() => Chattr("-i", _files);

    /// <summary>Makes <paramref name="files"/> writable again, whether or not they were made immutable here.</summary>
    public static void Undo(params string[] files) => Chattr("-i", files.Where(Exists).ToArray());

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static void Chattr(string flag, string[] files)
    {
        if (files.Length == 0)
            return;
        var start = new ProcessStartInfo("chattr") { RedirectStandardError = true };
        start.ArgumentList.Add(flag);
        foreach (var file in files)
            start.ArgumentList.Add(file);
        using var chattr = Process.Start(start)!;
        chattr.WaitForExit();
        if (chattr.ExitCode != 0)
            throw new InvalidOperationException($"chattr {flag} failed: {chattr.StandardError.ReadToEnd()}");
    }
}
