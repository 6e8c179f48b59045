using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Scripts;

/// <summary>The README's two commands and CI run these scripts: they must not fail at random, and run.sh turns the demo on only when no provider is given.</summary>
public sealed class ScriptSpecs
{
    private static readonly string Root = Repository.Root;

    [Fact]
    public async Task Install_deps_should_never_fail_when_run_many_times_in_a_row()
    {
        // `haproxy -v | head -n 1` under pipefail failed 14 runs in 30 with SIGPIPE (exit 141). The test
        // process ignores SIGPIPE and its children would inherit that: run the script as a shell does.
        for (var run = 1; run <= 100; run++)
        {
            var (code, output) = await RunAsync("env", ["--default-signal=PIPE", Path.Combine(Root, "scripts", "install-deps.sh")]);
            Assert.True(code == 0, $"run {run} exited with {code}: {output}");
            Assert.StartsWith("HAProxy version 2.", output);
        }
    }

    [Fact]
    public void Scripts_should_not_pipe_into_commands_that_stop_reading_early()
    {
        var scripts = Directory.GetFiles(Path.Combine(Root, "scripts"), "*.sh").Append(Path.Combine(Root, ".ci", "run"));
        var early = new Regex(@"\|\s*(head\b|grep\s+(-\w*[qm]))");

        var offending = scripts
            .SelectMany(file => File.ReadAllLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(l => !l.line.TrimStart().StartsWith('#') && early.IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(Root, l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.Empty(offending);
    }

    [Theory]
    [InlineData(new string[0], null, true)]
    [InlineData(new[] { "--Gateway:Providers:0:Type=Rest", "--Gateway:Providers:0:Name=r", "--Gateway:Providers:0:Url=http://127.0.0.1:1/" }, null, false)]
    [InlineData(new string[0], "File", false)]
    public async Task Run_script_should_start_the_demo_only_when_no_provider_is_given(string[] arguments, string? providerFromEnvironment, bool demo)
    {
        // A stand-in `dotnet` first on PATH prints the arguments it was given instead of building and running the node.
        using var dir = new TempDir("gws");
        var fake = dir.File("dotnet");
        await File.WriteAllTextAsync(fake, "#!/usr/bin/env bash\necho \"dotnet $*\"\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string> { ["PATH"] = $"{dir.Path}:{Environment.GetEnvironmentVariable("PATH")}" };
        if (providerFromEnvironment is not null)
            environment["Gateway__Providers__0__Type"] = providerFromEnvironment;

        var (code, output) = await RunAsync(Path.Combine(Root, "scripts", "run.sh"), arguments, environment);

        Assert.Equal(0, code);
        var run = output.Split('\n').Single(l => l.Contains("Gateway.Node.dll"));
        Assert.Equal(demo, run.Contains("--Gateway:Demo=true"));
        Assert.All(arguments, a => Assert.Contains(a, run));
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
