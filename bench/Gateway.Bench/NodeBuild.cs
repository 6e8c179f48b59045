using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Which node build a measurement starts: this checkout's, or other builds' <c>Gateway.Node.dll</c>
/// to compare with side by side in the same run (<c>GATEWAY_BENCH_BASELINE=/path/to/Gateway.Node.dll</c>,
/// or several as <c>name=/path;name=/path</c>); the parts that take builds then run each, interleaved
/// over <c>GATEWAY_BENCH_ROUNDS</c> rounds (3 by default).
/// </summary>
public sealed record NodeBuild(string Name, string? Dll)
{
    public static IReadOnlyList<NodeBuild> FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_BENCH_BASELINE") is not { Length: > 0 } others)
            return [new NodeBuild("this build", null)];
        var builds = others.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(other => other.Split('=', 2) is [var name, var dll]
            ? new NodeBuild(name, Path.GetFullPath(dll))
            : new NodeBuild("baseline", Path.GetFullPath(other)));
        return [.. builds, new NodeBuild("this build", null)];
    }

    public static int Rounds(IReadOnlyList<NodeBuild> builds) =>
        Environment.GetEnvironmentVariable("GATEWAY_BENCH_ROUNDS") is { Length: > 0 } rounds
            ? int.Parse(rounds, CultureInfo.InvariantCulture)
            : builds.Count > 1 ? 3 : 1;
}
