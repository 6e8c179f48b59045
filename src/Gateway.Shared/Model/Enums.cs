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

/// <summary>
/// HAProxy's <c>http-reuse</c>: which requests may share an idle connection to a server. With
/// <see cref="Safe"/> (HAProxy's default) the first request of each client connection opens a
/// server connection of its own, and an HTTP/2 server connection stays reserved to one client
/// connection while it has streams: no request of a new client can meet a server connection that the
/// server is closing at that moment. <see cref="Aggressive"/> lets a first request use a server
/// connection that has already served more than one request, so HTTP/2 server connections carry the
/// streams of many clients: HAProxy served 1.16x the h2c and 1.65x the HTTP/1.1 requests per core of
/// safe, to an h2c server on loopback (data-plane bench, ablation), at the price HAProxy names: a
/// first request may fail now and then when a server closes an idle connection as it is sent, and
/// one slow client can hold back others sharing its server connection. <see cref="Always"/> shares
/// any idle connection (1.30x and 1.68x), <see cref="Never"/> none.
/// </summary>
[JsonConverter(typeof(NamedEnumConverter<HttpReuse>))]
public enum HttpReuse
{
    [JsonStringEnumMemberName("never")] Never,
    [JsonStringEnumMemberName("safe")] Safe,
    [JsonStringEnumMemberName("aggressive")] Aggressive,
    [JsonStringEnumMemberName("always")] Always,
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
