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
