using System.Runtime.InteropServices;

namespace Gateway.Actors.Haproxy;

/// <summary>The few POSIX calls .NET does not offer: sending a signal, and telling a live process from a zombie.</summary>
internal static partial class Posix
{
    public const int SIGINT = 2, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static bool Signal(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>
    /// True if <paramref name="pid"/> runs and is not a zombie. A daemon whose parent is gone is
    /// reaped by pid 1, and a pid 1 that does not reap leaves zombies that <c>kill(pid, 0)</c> still sees.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        if (pid <= 0)
            return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not ('Z' or 'X' or '\0');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return Signal(pid, 0);
        }
    }

    /// <summary>The process's command line, to check that a pid from a pid file is still HAProxy.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
