using System.Text.Json.Serialization;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Model;

/// <summary>
/// Load-balancing algorithm. Only HAProxy's dynamic algorithms are offered: <c>add server</c> at
/// runtime refuses static ones (static-rr, map-based source, uri).
/// </summary>
[JsonConverter(typeof(NamedEnumConverter<BalanceAlgorithm>))]
public enum BalanceAlgorithm
{
    [JsonStringEnumMemberName("roundrobin")] RoundRobin,
    [JsonStringEnumMemberName("leastconn")] LeastConn,
    [JsonStringEnumMemberName("first")] First,
    [JsonStringEnumMemberName("random")] Random,
    /// <summary>Source-IP affinity; rendered with <c>hash-type consistent</c> so servers can be added at runtime.</summary>
    [JsonStringEnumMemberName("source")] Source,
}

/// <summary>How HAProxy speaks to a backend's servers.</summary>
[JsonConverter(typeof(NamedEnumConverter<ServerProtocol>))]
public enum ServerProtocol
{
    /// <summary>Cleartext HTTP/1.1.</summary>
    [JsonStringEnumMemberName("http1")] Http1,
    /// <summary>Cleartext HTTP/2 with prior knowledge (<c>proto h2</c>); gRPC works.</summary>
    [JsonStringEnumMemberName("h2c")] H2c,
    /// <summary>TLS with ALPN <c>h2,http/1.1</c>: HTTP/2 where the server offers it.</summary>
    [JsonStringEnumMemberName("h2")] H2,
}

/// <summary>A server's admin state, as HAProxy's <c>set server … state</c> knows it.</summary>
[JsonConverter(typeof(NamedEnumConverter<ServerAdminState>))]
public enum ServerAdminState
{
    /// <summary>Takes traffic.</summary>
    [JsonStringEnumMemberName("ready")] Ready,
    /// <summary>Keeps its sessions and persistent clients but gets no new ones.</summary>
    [JsonStringEnumMemberName("drain")] Drain,
    /// <summary>Takes no traffic at all.</summary>
    [JsonStringEnumMemberName("maint")] Maint,
}

/// <summary>The seed's BackendEventType: ADD, UPDATE, DELETE.</summary>
[JsonConverter(typeof(NamedEnumConverter<BackendEventType>))]
public enum BackendEventType
{
    [JsonStringEnumMemberName("ADD")] Add,
    [JsonStringEnumMemberName("UPDATE")] Update,
    [JsonStringEnumMemberName("DELETE")] Delete,
}
