using System.Text.Json.Serialization;

namespace Gateway.Shared.Model;

/// <summary>
/// A routing rule: requests for <see cref="Host"/> (exact, or <c>*.example.com</c> for one more
/// label) under <see cref="Path"/> (a path prefix matched on whole segments: <c>/api</c> takes
/// <c>/api</c> and <c>/api/x</c>, not <c>/apiary</c>) go to <see cref="Backend"/>. An empty host
/// matches every host, an empty path every path. The most specific rule wins: exact host before
/// wildcard host before no host, then the longest path.
/// </summary>
public sealed record Route
{
    public string Host { get; init; } = "";

    public string Path { get; init; } = "";

    public required string Backend { get; init; }

    /// <summary>The rule's identity: two routes with the same key are the same rule.</summary>
    [JsonIgnore]
    public RouteKey Key => new(Host.ToLowerInvariant(), NormalizePath(Path));

    /// <summary>Host in lower case and the path without trailing slashes ("" for none), which is how rules compare.</summary>
    public Route Normalized() => this with { Host = Key.Host, Path = Key.Path };

    public static string NormalizePath(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "" : trimmed;
    }
}

/// <summary>The identity of a route: its normalised host and path.</summary>
public readonly record struct RouteKey(string Host, string Path)
{
    public override string ToString() => $"{(Host.Length == 0 ? "*" : Host)}{(Path.Length == 0 ? "/" : Path)}";
}
