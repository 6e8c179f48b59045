using Gateway.Actors.Haproxy;
using Gateway.Actors.Persistence;
using Gateway.Actors.Providers;
using Gateway.Actors.Sync;
using Gateway.Node.Admin;
using Gateway.Node.Configuration;
using Gateway.Shared.Providers;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Gateway.Node;

/// <summary>
/// Turns the validated options into what the node runs with: the data dir and its files, the
/// journal connection, certificates for a first run, the admin token, the HAProxy client and the
/// providers.
/// </summary>
public sealed class NodeSetup
{
    private readonly GatewayOptions _options;

    private NodeSetup(GatewayOptions options, string dataDir, AdminToken token, SyncSettings sync, string connectionString, string providerName)
    {
        _options = options;
        DataDir = dataDir;
        Token = token;
        SyncSettings = sync;
        ConnectionString = connectionString;
        ProviderName = providerName;
    }

    public string DataDir { get; }
    public AdminToken Token { get; }
    public SyncSettings SyncSettings { get; }
    public string ConnectionString { get; }
    public string ProviderName { get; }

    /// <summary>The journal's database: connection string, provider, and for SQLite its busy timeout.</summary>
    public DataOptions DataOptions
    {
        get
        {
            var options = new DataOptions().UseConnectionString(ProviderName, ConnectionString);
            return ProviderName == LinqToDB.ProviderName.SQLiteMS ? options.UseInterceptor(new SqliteJournalConnection()) : options;
        }
    }

    /// <summary>The journal in words, for logs and /readyz: "SQLite journal /data/journal.db", "PostgreSQL journal at host:5432".</summary>
    public string JournalDescription => ProviderName == LinqToDB.ProviderName.SQLiteMS
        ? $"SQLite journal {new SqliteConnectionStringBuilder(ConnectionString).DataSource}"
        : $"PostgreSQL journal at {Describe(new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString))}";

    private static string Describe(Npgsql.NpgsqlConnectionStringBuilder postgres) =>
        $"{postgres.Host}:{postgres.Port}/{postgres.Database ?? postgres.Username}";

    /// <summary>Journal tuning for the database in use (hocon/journal-sqlite.conf or journal-postgresql.conf).</summary>
    public string JournalHoconFile => _options.Persistence.Provider == PersistenceProvider.PostgreSql ? "journal-postgresql.conf" : "journal-sqlite.conf";

    /// <summary>An empty SSLCertDir means the data dir's certs folder (see <see cref="Prepare"/>).</summary>
    public static void ApplyDefaults(GatewayOptions options)
    {
        if (string.IsNullOrEmpty(options.Frontend.SslCertDir))
            options.Frontend = options.Frontend with { SslCertDir = DefaultCertDir(options) };
    }

    private static string DefaultCertDir(GatewayOptions options) => Path.Combine(options.FullDataDir, "certs");

    public static NodeSetup Prepare(GatewayOptions options)
    {
        var dataDir = options.FullDataDir;
        Directory.CreateDirectory(dataDir);
        var frontend = options.Frontend;
        // No certificate configured: a self-signed one in the data dir, so TLS works on a first run.
        if (frontend.HttpsEnabled && frontend.SslCertDir == DefaultCertDir(options) && SelfSignedCertificate.EnsureIn(frontend.SslCertDir))
            Serilog.Log.Information("Generated a self-signed certificate for localhost in [{Certs}]; set Gateway:Frontend:SSLCertDir for real ones",
                frontend.SslCertDir);
        var layout = HaproxyLayout.Under(Path.Combine(dataDir, "haproxy"));
        layout.EnsureCreated();
        var sync = new SyncSettings(frontend, options.Haproxy, layout)
        {
            SyncPeriod = options.Manager.SyncPeriod,
            MinReloadInterval = options.Manager.MinReloadInterval,
            ReloadQuietPeriod = options.Manager.ReloadQuietPeriod,
            MaxReloadDelay = options.Manager.MaxReloadDelay,
            SettleDelay = options.Manager.SettleDelay,
            MoveDrainWait = options.Manager.MoveDrainWait,
        };

        var (connectionString, providerName) = options.Persistence.Provider switch
        {
            PersistenceProvider.PostgreSql => (PostgreSqlConnection(options.Persistence.ConnectionString!), LinqToDB.ProviderName.PostgreSQL15),
            _ => (SqliteConnection(options.Persistence.ConnectionString, dataDir), LinqToDB.ProviderName.SQLiteMS),
        };
        return new NodeSetup(options, dataDir, AdminToken.Resolve(options.Admin.Token, dataDir), sync, connectionString, providerName);
    }

    /// <summary>The nodes' default connection pool, when the connection string does not set one.</summary>
    public const int PostgreSqlPoolSize = 25;

    /// <summary>
    /// The connection string as given, with a smaller pool unless it sets one: Npgsql's default (100)
    /// equals PostgreSQL's default max_connections, so a second node starting (hundreds of recoveries
    /// at once) was refused with "too many clients" (53300). Three nodes at 25 leave room for others.
    /// </summary>
    internal static string PostgreSqlConnection(string configured)
    {
        // Npgsql's builder answers every keyword it knows as present: read what was written
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = configured };
        if (written.ContainsKey("Maximum Pool Size") || written.ContainsKey("MaxPoolSize"))
            return configured;
        return new Npgsql.NpgsqlConnectionStringBuilder(configured) { MaxPoolSize = PostgreSqlPoolSize }.ConnectionString;
    }

    /// <summary>The journal file in the data dir, in WAL mode so readers (recovery, queries) do not block the writer.</summary>
    private static string SqliteConnection(string? configured, string dataDir)
    {
        var connectionString = string.IsNullOrWhiteSpace(configured)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDir, "journal.db"), DefaultTimeout = 30 }.ToString()
            : configured;
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        wal.ExecuteNonQuery();
        return connectionString;
    }

    public IHaproxyClient CreateHaproxyClient(ILoggerFactory loggers) => new HaproxyClient(SyncSettings.Layout, _options.Haproxy, loggers);

    public IReadOnlyList<(string Name, IBackendProvider Provider)> CreateProviders() =>
        _options.Providers.Select(p => (p.Name, p.Type switch
        {
            ProviderType.Rest => (IBackendProvider)new RestBackendProvider(new Uri(p.Url!), p.Interval, new HttpClient { Timeout = p.Timeout },
                p.MaxDocumentBytes),
            ProviderType.File => new FileBackendProvider(p.Path!, p.Interval, p.MaxDocumentBytes),
            _ => throw new ArgumentOutOfRangeException(nameof(p.Type), p.Type, "unknown provider type"),
        })).ToList();
}
