namespace Gateway.Actors.Haproxy;

/// <summary>Writes a file by writing a sibling and renaming it over the target: readers see the old or the new file, never half of one.</summary>
internal static class AtomicFile
{
    public static void Write(string path, string content)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>
/// A set of files written next to their targets, validated, then swapped in by renames. The maps
/// go in before the config that names them; a swap before a reload keeps the previous files for a restore.
/// </summary>
internal sealed class StagedFiles((string Target, string Content)[] files)
{
    private static string Staged(string target) => target + ".new";
    private static string Backup(string target) => target + ".old";

    /// <summary>The staged <c>haproxy.cfg</c>, to validate (the first file).</summary>
    public string Config => Staged(files[0].Target);

    public void Write()
    {
        foreach (var (target, content) in files)
            File.WriteAllText(Staged(target), content);
    }

    public void DiscardStaged()
    {
        foreach (var (target, _) in files)
            File.Delete(Staged(target));
    }

    /// <summary>
    /// Moves the staged files in (maps first, the config last), keeping the previous ones for
    /// <see cref="Restore"/> when <paramref name="keepBackups"/> (a reload that may fail).
    /// </summary>
    public void Swap(bool keepBackups)
    {
        foreach (var (target, _) in files.Reverse())
        {
            if (keepBackups && File.Exists(target))
                File.Copy(target, Backup(target), overwrite: true);
            File.Move(Staged(target), target, overwrite: true);
        }
    }

    public void Restore()
    {
        foreach (var (target, _) in files.Reverse())
            if (File.Exists(Backup(target)))
                File.Move(Backup(target), target, overwrite: true);
    }

    public void DropBackups()
    {
        foreach (var (target, _) in files)
            File.Delete(Backup(target));
    }
}
