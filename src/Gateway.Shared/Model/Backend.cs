using System.Text.Json.Serialization;

namespace Gateway.Shared.Model;

/// <summary>
/// A named pool of servers that routes send traffic to. The seed's <c>Backend { Name, Servers }</c>;
/// every other field is optional and defaults to the seed's behaviour (round robin, HTTP/1.1 to the
/// servers, a TCP health check every 2 s).
/// </summary>
public sealed record Backend
{
    /// <summary>HAProxy backend name: letters, digits, '.', '_' and '-', starting with a letter or digit.</summary>
    public required string Name { get; init; }

    public IReadOnlyList<BackendServer> Servers { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BalanceAlgorithm Balance { get; init; } = BalanceAlgorithm.RoundRobin;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ServerProtocol Protocol { get; init; } = ServerProtocol.Http1;

    /// <summary>Null means the default check: TCP connect every 2 s.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HealthCheck? HealthCheck { get; init; }

    /// <summary>TLS towards the servers; only read when <see cref="Protocol"/> is <see cref="ServerProtocol.H2"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TlsSettings? Tls { get; init; }

    /// <summary>
    /// For h2c servers: keep the client's <c>:scheme</c> (https behind the TLS frontend) instead of
    /// sending <c>http</c>, the scheme of the hop. Strict HTTP/2 servers (Kestrel) refuse
    /// <c>https</c> on a cleartext connection, so the default rewrites it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool KeepClientScheme { get; init; }

    /// <summary>
    /// Which requests may share an idle connection to these servers (HAProxy's <c>http-reuse</c>):
    /// <c>aggressive</c> lets new clients share HTTP/2 server connections, for servers of small, quick
    /// answers. Null: the node's <c>Gateway:Haproxy:HttpReuse</c>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HttpReuse? HttpReuse { get; init; }

    [JsonIgnore]
    public HealthCheck EffectiveHealthCheck => HealthCheck ?? HealthCheck.Default;

    public BackendServer? FindServer(string name)
    {
        foreach (var server in Servers)
            if (string.Equals(server.Name, name, StringComparison.Ordinal))
                return server;
        return null;
    }

    public bool Equals(Backend? other) =>
        other is not null
        && Name == other.Name
        && Balance == other.Balance
        && Protocol == other.Protocol
        && KeepClientScheme == other.KeepClientScheme
        && HttpReuse == other.HttpReuse
        && EffectiveHealthCheck == other.EffectiveHealthCheck
        && Equals(Tls, other.Tls)
        && Servers.SequenceEqual(other.Servers);

    public override int GetHashCode() => HashCode.Combine(Name, Balance, Protocol, Servers.Count);
}
