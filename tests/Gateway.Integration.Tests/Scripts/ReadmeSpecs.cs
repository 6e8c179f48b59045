using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Scripts;

/// <summary>What the README tells a newcomer to type works on a machine set up by its own commands.</summary>
public sealed partial class ReadmeSpecs
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

    [Fact]
    public void Readme_should_start_with_its_prerequisites_and_the_two_commands()
    {
        var start = Readme[..Readme.IndexOf("\n## ", StringComparison.Ordinal)];

        Assert.Contains("Debian 12", start);
        Assert.Contains(".NET 10 SDK", start);
        Assert.Contains("root", start);
        Assert.Contains("scripts/run.sh", start);
        Assert.Contains("scripts/test.sh", start);
    }

    [Fact]
    public void Every_command_in_the_readme_should_be_installed_by_the_scripts_or_the_machine()
    {
        // install-deps.sh has run (scripts/test.sh runs it first): whatever the README uses must be on the PATH now
        var missing = Commands().Where(command => !OnPath(command)).ToList();

        Assert.Empty(missing);
    }

    /// <summary>The first word of each command line in the README's bash blocks, and of each part of a pipeline.</summary>
    private static IEnumerable<string> Commands() =>
        BashBlock().Matches(Readme).SelectMany(block => block.Groups[1].Value.Split('\n'))
            .Select(line => line.Split(" #")[0].Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .SelectMany(line => line.Split('|'))
            .Select(part => part.Trim().Split(' ')[0])
            .Where(word => word.Length > 0 && !word.Contains('=') && !word.StartsWith('-') && !word.StartsWith("scripts/"))
            .Distinct();

    private static bool OnPath(string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"command -v {command}");
        using var which = Process.Start(start)!;
        which.WaitForExit();
        return which.ExitCode == 0;
    }

    [GeneratedRegex("```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
