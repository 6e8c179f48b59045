using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// The level Gateway logs a line of HAProxy's own output at. HAProxy 2.6 prints every server state
/// change as <c>[WARNING]</c>, good news included ("Server web/s1 is UP"), and every reload and stop
/// as a handful of warnings. Levels go by content, conservatively: only lines known to be good
/// news or routine are lowered; anything else keeps HAProxy's level, alerts are errors.
/// </summary>
public static partial class HaproxyOutput
{
    /// <summary>
    /// A server (back) in service: "Server b/s is UP, reason: …", "… is UP/READY (leaving forced
    /// maintenance).", "… is UP (leaving forced drain).", with or without a "CLI : " prefix.
    /// "… is DOWN (leaving forced maintenance)" is not: it left maintenance into a failing check.
    /// </summary>
    [GeneratedRegex(@"\] +\([0-9]+\) : (CLI : )?Server [^ ]+ is UP(/READY)?[ ,.(]", RegexOptions.CultureInvariant)]
    private static partial Regex ServerUp();

    public static LogLevel LevelOf(string line)
    {
        if (line.StartsWith("[ALERT]", StringComparison.Ordinal))
            return LogLevel.Error;
        if (!line.StartsWith("[WARNING]", StringComparison.Ordinal))
            return LogLevel.Debug; // [NOTICE] (worker forked, loading success, version) and anything unlabelled
        if (IsRoutine(line))
            return LogLevel.Debug;
        return ServerUp().IsMatch(line) ? LogLevel.Information : LogLevel.Warning;
    }

    /// <summary>
    /// What every reload and stop prints as a warning: old proxies stopping, old workers exiting
    /// cleanly; and a start or reload putting a server back in the drain Gateway's state file asked for
    /// ("config : Server b/s remains in forced drain mode."; the same line at runtime stays a warning).
    /// </summary>
    private static bool IsRoutine(string line) =>
        line.Contains(" stopped (cumulated conns:", StringComparison.Ordinal)
        || (line.Contains(") : config : Server ", StringComparison.Ordinal) && line.EndsWith(" remains in forced drain mode.", StringComparison.Ordinal))
        || line.Contains(" exited with code 0 (Exit)", StringComparison.Ordinal)
        || line.Contains("Exiting Master process", StringComparison.Ordinal)
        || line.Contains("All workers exited", StringComparison.Ordinal);
}
