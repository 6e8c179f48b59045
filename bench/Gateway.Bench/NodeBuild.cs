using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Which node build a measurement starts: this checkout's, or another one's <c>Gateway.Node.dll</c>
/// to compare with side by side in the same run (<c>GATEWAY_BENCH_BASELINE=/path/to/Gateway.Node.dll</c>;
/// the parts that take builds then run both, interleaved over <c>GATEWAY_BENCH_ROUNDS</c> rounds, 3 by default).
/// </summary>
public sealed record NodeBuild(string Name, string? Dll)
{
    public static IReadOnlyList<NodeBuild> FromEnvironment() =>
        Environment.GetEnvironmentVariable("GATEWAY_BENCH_BASELINE") is { Length: > 0 } baseline
            ? [new NodeBuild("baseline", Path.GetFullPath(baseline)), new NodeBuild("this build", null)]
            : [new NodeBuild("this build", null)];

    public static int Rounds(IReadOnlyList<NodeBuild> builds) =>
        Environment.GetEnvironmentVariable("GATEWAY_BENCH_ROUNDS") is { Length: > 0 } rounds
            ? int.Parse(rounds, CultureInfo.InvariantCulture)
            : builds.Count > 1 ? 3 : 1;
}
