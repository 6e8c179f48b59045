using Gateway.Shared.Validation;

namespace Gateway.Node.Configuration;

/// <summary>Checks the node's configuration before anything starts; each error names its key.</summary>
public static class OptionsValidator
{
    public static IReadOnlyList<string> Validate(GatewayOptions options)
    {
        var errors = new List<string>();
        void Add(string key, string? message)
        {
            if (message is not null)
                errors.Add($"Gateway:{key}: {message}");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
            Add("DataDir", "is required");
        foreach (var error in options.Frontend.Validate())
            Add($"Frontend:{error.Field}", error.Message);
        if (options.Manager.SyncPeriod < TimeSpan.FromMilliseconds(100))
            Add("Manager:SyncPeriod", "must be at least 100ms");
        if (options.Manager.EventChanSize is < 1 or > 1_000_000)
            Add("Manager:EventChanSize", "must be 1–1000000");
        if (options.Manager.MinReloadInterval < TimeSpan.Zero)
            Add("Manager:MinReloadInterval", "must not be negative");
        if (options.Manager.ReloadQuietPeriod < TimeSpan.Zero)
            Add("Manager:ReloadQuietPeriod", "must not be negative");
        if (options.Manager.MaxReloadDelay < options.Manager.ReloadQuietPeriod)
            Add("Manager:MaxReloadDelay", "must not be shorter than ReloadQuietPeriod");
        if (options.Manager.SettleDelay < TimeSpan.Zero || options.Manager.SettleDelay > TimeSpan.FromHours(24))
            Add("Manager:SettleDelay", "must be 0–24h");
        if (options.Manager.MoveDrainWait < TimeSpan.Zero || options.Manager.MoveDrainWait > TimeSpan.FromMinutes(1))
            Add("Manager:MoveDrainWait", "must be 0–1m");
        if (string.IsNullOrWhiteSpace(options.Haproxy.Binary))
            Add("Haproxy:Binary", "is required");
        if (options.Persistence.Provider == PersistenceProvider.PostgreSql && string.IsNullOrWhiteSpace(options.Persistence.ConnectionString))
            Add("Persistence:ConnectionString", "is required for PostgreSql");
        if (!Uri.TryCreate(options.Admin.Url, UriKind.Absolute, out var admin) || admin.Scheme is not ("http" or "https"))
            Add("Admin:Url", "must be an absolute http or https URL");

        ValidateCluster(options, Add);

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var key = $"Providers:{i}";
            Add($"{key}:Name", Rules.Name(provider.Name));
            if (!names.Add(provider.Name))
                Add($"{key}:Name", $"duplicates provider '{provider.Name}'");
            if (provider.Interval < TimeSpan.FromMilliseconds(100))
                Add($"{key}:Interval", "must be at least 100ms");
            if (provider.MaxDocumentBytes is < 1024 or > 1024 * 1024 * 1024)
                Add($"{key}:MaxDocumentBytes", "must be 1024–1073741824 (1 KiB to 1 GiB)");
            switch (provider.Type)
            {
                case ProviderType.Rest when !Uri.TryCreate(provider.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"):
                    Add($"{key}:Url", "must be an absolute http or https URL");
                    break;
                case ProviderType.File when string.IsNullOrWhiteSpace(provider.Path):
                    Add($"{key}:Path", "is required");
                    break;
            }
        }
        return errors;
    }

    /// <summary>
    /// The cluster's addresses go into Akka's configuration: each is checked whole. A cluster of
    /// several nodes on SQLite is refused: each node would write its own file, and a backend whose
    /// writer moved to another node would lose its history there.
    /// </summary>
    private static void ValidateCluster(GatewayOptions options, Action<string, string?> add)
    {
        var cluster = options.Cluster;
        add("Cluster:Hostname", ClusterHost(cluster.Hostname));
        add("Cluster:Port", Rules.Port(cluster.Port));
        for (var i = 0; i < cluster.SeedNodes.Count; i++)
            add($"Cluster:SeedNodes:{i}", SeedNode(cluster.SeedNodes[i], cluster.Tls.Enabled));
        for (var i = 0; i < cluster.Roles.Count; i++)
            if (string.IsNullOrEmpty(cluster.Roles[i]) || cluster.Roles[i].Length > 64 || !cluster.Roles[i].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                add($"Cluster:Roles:{i}", "must be 1–64 letters, digits, '-' or '_'");
        var others = cluster.SeedNodes.Where(seed => !string.Equals(seed, cluster.SelfAddress, StringComparison.OrdinalIgnoreCase)).ToList();
        if (others.Count > 0 && options.Persistence.Provider == PersistenceProvider.Sqlite)
            add("Cluster:SeedNodes", $"joining other nodes ({others[0]}) needs the shared PostgreSql journal (Gateway:Persistence:Provider); "
                + "SQLite is one node's own file");
        ClusterTlsCheck.Validate(cluster, add);
    }

    private static string? ClusterHost(string? host) =>
        Rules.IpAddress(host) is null || Rules.Hostname(host, allowWildcard: false) is null ? null : "must be an IP address or a host name";

    /// <summary>
    /// Null when <paramref name="seed"/> is <c>akka.tcp://gateway@host:port</c> (<c>akka.ssl.tcp://</c>
    /// with <paramref name="tls"/>), else what is wrong. The scheme must match: Akka drops messages to an
    /// address of the other transport, so a mismatch would be a node that never joins, silently.
    /// </summary>
    public static string? SeedNode(string? seed, bool tls = false)
    {
        var scheme = Gateway.Actors.Cluster.MembershipSettings.SchemeOf(tls);
        var form = $"must be {scheme}://{ClusterOptions.SystemName}@host:port";
        var prefix = $"{scheme}://{ClusterOptions.SystemName}@";
        var other = $"{Gateway.Actors.Cluster.MembershipSettings.SchemeOf(!tls)}://";
        if (seed is not null && seed.StartsWith(other, StringComparison.Ordinal))
            return tls
                ? $"{form}: Gateway:Cluster:Tls is set, so remoting speaks TLS and its addresses are {scheme}://"
                : $"{form}: {other} is a TLS address, and Gateway:Cluster:Tls:CertificatePath is not set";
        if (string.IsNullOrEmpty(seed) || !seed.StartsWith(prefix, StringComparison.Ordinal))
            return form;
        var hostPort = seed[prefix.Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
            return form;
        var host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (ClusterHost(host) is not null)
            return $"{form}: '{host}' is not an IP address or a host name";
        return Rules.Port(port) is { } portError ? $"{form}: the port {portError}" : null;
    }
}
