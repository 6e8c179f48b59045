using System.Text.Json.Serialization;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Model;

/// <summary>
/// Health checking of a backend's servers. Enabled by default (the seed renders <c>check</c>):
/// a TCP connect unless <see cref="Path"/> asks for an HTTP GET, every <see cref="Interval"/>.
/// </summary>
public sealed record HealthCheck
{
    public static readonly HealthCheck Default = new();

    public bool Enabled { get; init; } = true;

    /// <summary>HTTP path to GET (<c>option httpchk</c>); null for a TCP connect check.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    /// <summary>Check interval (HAProxy's <c>inter</c>); written like HAProxy does: "500ms", "2s", "1m".</summary>
    [JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
}
