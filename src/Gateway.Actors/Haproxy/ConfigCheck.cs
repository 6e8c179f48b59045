using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gateway.Actors.Haproxy;

/// <summary>One complaint from <c>haproxy -c</c>: file and line when HAProxy gives them, and its own words.</summary>
public sealed record ConfigError(string? File, int? Line, string Message)
{
    public override string ToString() => File is null ? Message : $"{System.IO.Path.GetFileName(File)}:{Line}: {Message}";
}

/// <summary>Runs <c>haproxy -c</c> on a file and turns its <c>[ALERT]</c> lines into <see cref="ConfigError"/>s.</summary>
public static partial class ConfigCheck
{
    [GeneratedRegex(@"^\[ALERT\]\s*\(\d+\)\s*:\s*(?:config\s*:\s*)?(?:(?:parsing )?\[(?<file>[^\]]+):(?<line>\d+)\]\s*:\s*)?(?<message>.*)$")]
    private static partial Regex AlertLine();

    public static async Task<IReadOnlyList<ConfigError>> RunAsync(string binary, string configPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-c", "-f", configPath },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start [{binary}]");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        if (process.ExitCode == 0)
            return [];
        var errors = ParseAlerts(output);
        return errors.Count > 0 ? errors : [new ConfigError(null, null, $"haproxy -c exited with {process.ExitCode}: {output.Trim()}")];
    }

    /// <summary>The specific alerts; HAProxy's closing "Fatal errors found" summary is dropped when others exist.</summary>
    public static IReadOnlyList<ConfigError> ParseAlerts(string output)
    {
        var errors = new List<ConfigError>();
        foreach (var line in output.Split('\n'))
        {
            var match = AlertLine().Match(line.TrimEnd('\r'));
            if (!match.Success)
                continue;
            var file = match.Groups["file"];
            errors.Add(new ConfigError(
                file.Success ? file.Value : null,
                file.Success ? int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
                match.Groups["message"].Value.Trim()));
        }
        var specific = errors.Where(e => !e.Message.StartsWith("Error(s) found in configuration file", StringComparison.Ordinal)
                                         && !e.Message.StartsWith("Fatal errors found in configuration", StringComparison.Ordinal)).ToList();
        return specific.Count > 0 ? specific : errors;
    }
}
