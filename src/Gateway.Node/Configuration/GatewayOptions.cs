using Gateway.Actors.Haproxy;

namespace Gateway.Node.Configuration;

/// <summary>
/// Everything under <c>Gateway:</c> in appsettings.json, environment variables
/// (<c>Gateway__Frontend__HTTPPort=18080</c>) or the command line
/// (<c>--Gateway:Frontend:HTTPPort=18080</c>). Key names are the seed's.
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Everything the node writes: journal, haproxy.cfg, maps, sockets, token, certificates.</summary>
    public string DataDir { get; set; } = "./data";

    public GatewayConfig Frontend { get; set; } = new();
    public ManagerOptions Manager { get; set; } = new();
    public HaproxyOptions Haproxy { get; set; } = new();
    public PersistenceOptions Persistence { get; set; } = new();
    public List<ProviderOptions> Providers { get; set; } = [];
    public AdminOptions Admin { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>
    /// Run the demo backends (scripts/run.sh asks for it when no provider is given). Off, a node
    /// removes what an earlier run's demo stored (backends and routes whose source is "demo").
    /// </summary>
    public bool Demo { get; set; }

    public string FullDataDir => Path.GetFullPath(DataDir);
}

/// <summary>The seed's ManagerConfig.</summary>
public sealed class ManagerOptions
{
    /// <summary>How often HAProxy's live state is reconciled with the applied state (seed default 5 s).</summary>
    public TimeSpan SyncPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound of each provider's event channel (seed default 100).</summary>
    public int EventChanSize { get; set; } = 100;

    /// <summary>At most one reload per this interval; structural changes arriving meanwhile share the next one.</summary>
    public TimeSpan MinReloadInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A reload waits for changes to pause this long, so a burst of new backends shares one reload.</summary>
    public TimeSpan ReloadQuietPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound on how long a change that needs a reload waits for a pause.</summary>
    public TimeSpan MaxReloadDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Servers added at runtime to an HTTP/2 backend join the configuration by a reload this long after the first of them.</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a server that changes address waits for its requests in flight to the old one before it takes the new one.</summary>
    public TimeSpan MoveDrainWait { get; set; } = TimeSpan.FromSeconds(1);
}

public enum PersistenceProvider { Sqlite, PostgreSql }

public sealed class PersistenceOptions
{
    public PersistenceProvider Provider { get; set; } = PersistenceProvider.Sqlite;

    /// <summary>For PostgreSql, required; for Sqlite, defaults to a file in the data dir.</summary>
    public string? ConnectionString { get; set; }
}

public enum ProviderType { Rest, File }

/// <summary>One backend provider: a REST URL or a JSON file in the seed's format.</summary>
public sealed class ProviderOptions
{
    public ProviderType Type { get; set; }
    public string Name { get; set; } = "";
    public string? Url { get; set; }
    public string? Path { get; set; }
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per request, for REST.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A larger document (REST body or file) is refused unread: a failed fetch that changes nothing.</summary>
    public long MaxDocumentBytes { get; set; } = 16 * 1024 * 1024;
}

public sealed class AdminOptions
{
    public string Url { get; set; } = "http://127.0.0.1:9900";

    /// <summary>Bearer token for /api; when empty the node creates one in the data dir (admin.token, mode 600).</summary>
    public string? Token { get; set; }
}

/// <summary>
/// The node's place in a cluster. Without <see cref="SeedNodes"/> the node runs alone, as a cluster
/// of one, with no remoting port open. A node that lists seed nodes joins them (the first seed lists
/// itself, and starts the cluster); every node then shares the journal (PostgreSQL) and each drives
/// its own HAProxy.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>The actor system's name: every seed node address starts <c>akka.tcp://gateway@</c> (<c>akka.ssl.tcp://gateway@</c> with TLS).</summary>
    public const string SystemName = Gateway.Shared.Sharding.GatewayNames.SystemName;

    /// <summary>The address other nodes reach this one at (remoting binds to it): an IP literal or a host name.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The remoting port.</summary>
    public int Port { get; set; } = 4053;

    /// <summary>Nodes to join, as <c>akka.tcp://gateway@host:port</c>, or <c>akka.ssl.tcp://gateway@host:port</c> with <see cref="Tls"/>.</summary>
    public List<string> SeedNodes { get; set; } = [];

    /// <summary>Cluster roles of this node (letters, digits, '-' and '_').</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Mutual TLS on the remoting port (<c>Gateway:Cluster:Tls:…</c>); without it the port is plain TCP.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>Whether the node is in a cluster (it lists seed nodes).</summary>
    public bool Enabled => SeedNodes.Count > 0;

    /// <summary>What the actor system is given.</summary>
    public Gateway.Actors.Cluster.MembershipSettings Membership => new(Hostname, Port, SeedNodes, Roles, Tls.Files());

    /// <summary><c>akka.ssl.tcp</c> with TLS, else <c>akka.tcp</c>: Akka names addresses after the transport.</summary>
    public string Scheme => Gateway.Actors.Cluster.MembershipSettings.SchemeOf(Tls.Enabled);

    /// <summary>This node's own address, as a seed node list writes it.</summary>
    public string SelfAddress => $"{Scheme}://{SystemName}@{Hostname}:{Port}";

    /// <summary>
    /// A node in a cluster whose remoting is plain TCP on an address other machines can reach: anyone
    /// who reaches the port can change what every HAProxy serves. The node warns at start.
    /// </summary>
    public bool ExposedWithoutTls => Enabled && !Tls.Enabled && ListensBeyondLoopback(Hostname);

    /// <summary>
    /// Whether remoting listens where other machines can reach it: any address but loopback
    /// (127.0.0.0/8, ::1) and any host name but <c>localhost</c> (a name may resolve anywhere).
    /// </summary>
    public static bool ListensBeyondLoopback(string hostname)
    {
        if (string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase))
            return false;
        if (!System.Net.IPAddress.TryParse(hostname.Trim('[', ']'), out var address))
            return true;
        return !System.Net.IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }
}

/// <summary>
/// TLS for the remoting port, mutual: each node presents its certificate and accepts a peer only
/// when the peer's certificate is the cluster's. Set <see cref="CertificatePath"/> on every node and
/// seed node addresses become <c>akka.ssl.tcp://gateway@host:port</c>.
/// <para>
/// Which peers are let in: without <see cref="CaPath"/>, those presenting the very certificate this
/// node has (one certificate, copied to every node); with it, those whose certificate chains to a
/// certificate in that file (one per node, signed by the cluster's own CA). The system's trust store
/// is not used: a certificate from a public CA proves a name, not membership. Host names are not
/// checked against the certificate (nodes are often addressed by IP, and a shared certificate names
/// no node in particular); the certificate itself is the proof of membership.
/// </para>
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>
    /// <c>Gateway:Cluster:Tls:CertificatePath</c>: this node's certificate: a PEM file (certificate
    /// first, then its private key unless <see cref="KeyPath"/> is set: HAProxy's <c>crt</c> format
    /// works as is) or a PKCS#12 file (.pfx/.p12) holding certificate and key. Setting it turns TLS on.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary><c>Gateway:Cluster:Tls:KeyPath</c>: the PEM private key (PKCS#8, RSA or EC) when it is not in the certificate's file.</summary>
    public string? KeyPath { get; set; }

    /// <summary><c>Gateway:Cluster:Tls:CertificatePassword</c>: opens the PKCS#12 file, or an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// <c>Gateway:Cluster:Tls:CaPath</c>: PEM certificates of the CA(s) that sign the nodes' certificates.
    /// Unset: every node must have the same certificate.
    /// </summary>
    public string? CaPath { get; set; }

    /// <summary>Whether TLS is on (a certificate is set).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>What remoting reads; null without TLS. (A method: the binder and the key check skip it.)</summary>
    public Gateway.Actors.Cluster.RemotingTlsFiles? Files() => Enabled
        ? new(CertificatePath!, NullIfEmpty(KeyPath), NullIfEmpty(CertificatePassword), NullIfEmpty(CaPath))
        : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
