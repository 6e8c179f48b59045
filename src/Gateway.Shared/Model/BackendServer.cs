using System.Text.Json.Serialization;

namespace Gateway.Shared.Model;

/// <summary>
/// One server of a backend: the seed's <c>BackendServer { Name, IP, Port }</c>, plus an optional
/// weight (HAProxy's 0–256, default 1) and admin state (ready, drain, maint; default ready).
/// </summary>
public sealed record BackendServer
{
    public required string Name { get; init; }

    /// <summary>An IPv4 or IPv6 literal (no host names: HAProxy changes addresses at runtime only between literals).</summary>
    [JsonPropertyName("ip")]
    public required string IP { get; init; }

    public required int Port { get; init; }

    /// <summary>Null means HAProxy's default weight, 1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Weight { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ServerAdminState State { get; init; } = ServerAdminState.Ready;

    [JsonIgnore]
    public int EffectiveWeight => Weight ?? DefaultWeight;

    public const int DefaultWeight = 1;
}
