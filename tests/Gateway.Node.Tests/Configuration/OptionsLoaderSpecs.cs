using Gateway.Actors.Haproxy;
using Gateway.Node.Configuration;
using Gateway.Shared.Model;
using Microsoft.Extensions.Configuration;

namespace Gateway.Node.Tests.Configuration;

/// <summary>
/// Configuration errors as the README promises them: one line per bad key naming what it takes,
/// every one at once, never an exception; keys outside <c>Gateway:</c> are not ours.
/// </summary>
public sealed class OptionsLoaderSpecs
{
    private const string Duration = "must be a duration such as 500ms, 5s, 1m or 00:00:05";

    /// <summary>Settings as on the command line, <c>Key=Value</c>.</summary>
    private static (GatewayOptions? Options, IReadOnlyList<string> Errors) Load(params string[] settings)
    {
        var pairs = settings.Select(s => s.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], (string?)p[1]));
        return OptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(pairs).Build());
    }

    public static TheoryData<string, string> Unconvertible => new()
    {
        { "Gateway:Manager:SyncPeriod=5x", $"Gateway:Manager:SyncPeriod: {Duration}" },
        { "Gateway:Haproxy:HardStopAfter=30 seconds", $"Gateway:Haproxy:HardStopAfter: {Duration}" },
        { "Gateway:Haproxy:HttpReuse=sometimes", "Gateway:Haproxy:HttpReuse: must be one of Never, Safe, Aggressive, Always" },
        { "Gateway:Manager:EventChanSize=lots", "Gateway:Manager:EventChanSize: must be an integer" },
        { "Gateway:Frontend:HTTPPort=80a", "Gateway:Frontend:HTTPPort: must be an integer" },
        { "Gateway:Frontend:HTTPSEnabled=yes", "Gateway:Frontend:HTTPSEnabled: must be true or false" },
        { "Gateway:Demo=maybe", "Gateway:Demo: must be true or false" },
        { "Gateway:Persistence:Provider=Postgres", "Gateway:Persistence:Provider: must be one of Sqlite, PostgreSql" },
        { "Gateway:Providers:0:Type=Rset", "Gateway:Providers:0:Type: must be one of Rest, File" },
        { "Gateway:Providers:0:Type=1", "Gateway:Providers:0:Type: must be one of Rest, File" },
        { "Gateway:Providers:0:Interval=10x", $"Gateway:Providers:0:Interval: {Duration}" },
    };

    [Theory]
    [MemberData(nameof(Unconvertible))]
    public void OptionsLoader_should_name_the_key_and_what_it_takes_when_a_value_does_not_convert(string setting, string expected)
    {
        var (options, errors) = Load(setting);

        Assert.Null(options);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void OptionsLoader_should_match_enum_names_ignoring_case_as_the_binder_does()
    {
        var (options, errors) = Load("Gateway:Providers:0:Type=file", "Gateway:Providers:0:Name=f", "Gateway:Providers:0:Path=/srv/backends.json",
            "Gateway:Persistence:Provider=postgresql", "Gateway:Persistence:ConnectionString=Host=db");

        Assert.Empty(errors);
        Assert.Equal(ProviderType.File, options!.Providers.Single().Type);
        Assert.Equal(PersistenceProvider.PostgreSql, options.Persistence.Provider);
    }

    public static TheoryData<string, string, string> UnknownKeys => new()
    {
        { "Gateway:Manager:SyncPeriodd=5s", "Gateway:Manager:SyncPeriodd: unknown key, did you mean SyncPeriod?",
            "Gateway:Manager takes SyncPeriod, EventChanSize, MinReloadInterval, ReloadQuietPeriod, MaxReloadDelay, SettleDelay, MoveDrainWait" },
        { "Gateway:Providers:0:Intervall=10s", "Gateway:Providers:0:Intervall: unknown key, did you mean Interval?",
            "Gateway:Providers:0 takes Type, Name" },
        { "Gateway:Frontend:HTTPPrt=80", "Gateway:Frontend:HTTPPrt: unknown key, did you mean HTTPPort?",
            "HTTPPort, HTTPSPort, HTTPSEnabled, SSLCertDir, StrictSNI, EnableHTTP2, ALPN, DefaultBackend, IPv4BindAddr, IPv6BindAddr, ForwardedHeaders" },
        { "Gateway:Managr:SyncPeriod=5s", "Gateway:Managr: unknown key, did you mean Manager?",
            "Gateway takes DataDir, Frontend, Manager, Haproxy, Persistence, Providers, Admin, Cluster, Demo" },
        { "Gateway:Manager:Colour=red", "Gateway:Manager:Colour: unknown key. Gateway:Manager takes", "SyncPeriod, EventChanSize" },
        { "Gateway:Frontend:EffectiveAlpn=h2", "Gateway:Frontend:EffectiveAlpn: unknown key. Gateway:Frontend takes", "ALPN" },
    };

    [Theory]
    [MemberData(nameof(UnknownKeys))]
    public void OptionsLoader_should_name_an_unknown_key_and_the_keys_known_beside_it(string setting, string start, string known)
    {
        var (options, errors) = Load(setting, "Gateway:Providers:0:Type=File", "Gateway:Providers:0:Name=f", "Gateway:Providers:0:Path=/srv/b.json");

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.StartsWith(start, error);
        Assert.Contains(known, error);
    }

    [Fact]
    public void OptionsLoader_should_leave_keys_outside_Gateway_alone()
    {
        var (options, errors) = Load("Serilog:MinimumLevel=Verbose", "Logging:LogLevel:Default=Debug", "AllowedHosts=*",
            "Kestrel:Limits:MaxRequestBodySize=10", "GatewayX:Anything=1", "GATEWAY=10.0.0.1");

        Assert.Empty(errors);
        Assert.NotNull(options);
    }

    public static TheoryData<string, string> Misplaced => new()
    {
        { "Gateway:Manager=fast", "Gateway:Manager: takes keys below it (SyncPeriod, EventChanSize, MinReloadInterval, ReloadQuietPeriod, MaxReloadDelay, SettleDelay, MoveDrainWait), not a value" },
        { "Gateway:Providers=rest", "Gateway:Providers: takes numbered items below it (Gateway:Providers:0:…), not a value" },
        { "Gateway:DataDir:Path=/srv", "Gateway:DataDir:Path: unknown key; Gateway:DataDir takes a value, no keys below it" },
        { "Gateway:Providers:first:Type=Rest", "Gateway:Providers:first: must be an item number (0, 1, 2… without gaps); expected 0" },
    };

    [Theory]
    [MemberData(nameof(Misplaced))]
    public void OptionsLoader_should_name_a_key_in_the_wrong_place(string setting, string expected)
    {
        var (_, errors) = Load(setting);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void OptionsLoader_should_name_list_items_numbered_with_a_gap_so_no_error_names_the_wrong_item()
    {
        var (_, errors) = Load("Gateway:Providers:0:Type=File", "Gateway:Providers:0:Name=a", "Gateway:Providers:0:Path=/a.json",
            "Gateway:Providers:2:Type=File", "Gateway:Providers:2:Name=b");

        Assert.Equal(["Gateway:Providers:2: must be an item number (0, 1, 2… without gaps); expected 1"], errors);
    }

    public static TheoryData<string[], string> Semantic => new()
    {
        { ["Gateway:Frontend:HTTPPort=0"], "Gateway:Frontend:HTTPPort: must be 1–65535" },
        { ["Gateway:Providers:0:Type=Rest", "Gateway:Providers:0:Name=r"], "Gateway:Providers:0:Url: must be an absolute http or https URL" },
        { ["Gateway:Providers:0:Type=File", "Gateway:Providers:0:Name=f"], "Gateway:Providers:0:Path: is required" },
        { ["Gateway:Persistence:Provider=PostgreSql"], "Gateway:Persistence:ConnectionString: is required for PostgreSql" },
        { ["Gateway:Manager:SyncPeriod=50ms"], "Gateway:Manager:SyncPeriod: must be at least 100ms" },
        { ["Gateway:Manager:SettleDelay=25h"], "Gateway:Manager:SettleDelay: must be 0–24h" },
        { ["Gateway:Manager:MoveDrainWait=2m"], "Gateway:Manager:MoveDrainWait: must be 0–1m" },
        { ["Gateway:Admin:Url=ftp://host"], "Gateway:Admin:Url: must be an absolute http or https URL" },
        {
            ["Gateway:Providers:0:Type=File", "Gateway:Providers:0:Name=f", "Gateway:Providers:0:Path=/tmp/x.json", "Gateway:Providers:0:MaxDocumentBytes=10"],
            "Gateway:Providers:0:MaxDocumentBytes: must be 1024–1073741824 (1 KiB to 1 GiB)"
        },
    };

    [Theory]
    [MemberData(nameof(Semantic))]
    public void OptionsLoader_should_keep_the_validators_checks_and_wording(string[] settings, string expected)
    {
        var (options, errors) = Load(settings);

        Assert.Null(options);
        Assert.Equal([expected], errors);
    }

    private const string Pg = "Gateway:Persistence:Provider=PostgreSql";
    private const string PgConnection = "Gateway:Persistence:ConnectionString=Host=db";

    public static TheoryData<string[], string> ClusterErrors => new()
    {
        { [Pg, PgConnection, "Gateway:Cluster:SeedNodes:0=akka.tcp://other@10.0.0.1:4053"], "Gateway:Cluster:SeedNodes:0: must be akka.tcp://gateway@host:port" },
        { [Pg, PgConnection, "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@10.0.0.1"], "Gateway:Cluster:SeedNodes:0: must be akka.tcp://gateway@host:port" },
        {
            [Pg, PgConnection, "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@10.0.0.1:70000"],
            "Gateway:Cluster:SeedNodes:0: must be akka.tcp://gateway@host:port: the port must be 1–65535"
        },
        {
            [Pg, PgConnection, "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@evil\"}\nakka.x{:4053"],
            "Gateway:Cluster:SeedNodes:0: must be akka.tcp://gateway@host:port: 'evil\"}\nakka.x{' is not an IP address or a host name"
        },
        { ["Gateway:Cluster:Hostname=node 1"], "Gateway:Cluster:Hostname: must be an IP address or a host name" },
        { ["Gateway:Cluster:Port=0"], "Gateway:Cluster:Port: must be 1–65535" },
        { ["Gateway:Cluster:Roles:0=edge node"], "Gateway:Cluster:Roles:0: must be 1–64 letters, digits, '-' or '_'" },
        {
            ["Gateway:Cluster:Port=4053", "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@127.0.0.1:4053", "Gateway:Cluster:SeedNodes:1=akka.tcp://gateway@10.0.0.2:4053"],
            "Gateway:Cluster:SeedNodes: joining other nodes (akka.tcp://gateway@10.0.0.2:4053) needs the shared PostgreSql journal (Gateway:Persistence:Provider); SQLite is one node's own file"
        },
    };

    [Theory]
    [MemberData(nameof(ClusterErrors))]
    public void OptionsLoader_should_check_every_cluster_address_and_refuse_a_cluster_on_sqlite(string[] settings, string expected)
    {
        var (options, errors) = Load(settings);

        Assert.Null(options);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void OptionsLoader_should_take_a_cluster_on_postgresql_and_a_cluster_of_one_on_sqlite()
    {
        var (cluster, clusterErrors) = Load(Pg, PgConnection, "Gateway:Cluster:Hostname=node-2.internal", "Gateway:Cluster:Port=4054",
            "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@node-1.internal:4053", "Gateway:Cluster:SeedNodes:1=akka.tcp://gateway@[::1]:4053",
            "Gateway:Cluster:Roles:0=edge");
        var (alone, aloneErrors) = Load("Gateway:Cluster:Port=4053", "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@127.0.0.1:4053");

        Assert.Empty(clusterErrors);
        var membership = cluster!.Cluster.Membership;
        Assert.Equal(("node-2.internal", 4054), (membership.Hostname, membership.Port));
        Assert.Equal(["akka.tcp://gateway@node-1.internal:4053", "akka.tcp://gateway@[::1]:4053"], membership.SeedNodes);
        Assert.Equal(["edge"], membership.Roles);
        Assert.Empty(aloneErrors);
        Assert.True(alone!.Cluster.Enabled);
    }

    [Fact]
    public void OptionsLoader_should_report_every_bad_key_at_once()
    {
        var (options, errors) = Load("Gateway:Manager:SyncPeriod=5x", "Gateway:Providers:0:Type=Rset", "Gateway:Manager:SyncPeriodd=5s",
            "Gateway:Frontend:HTTPPort=0", "Gateway:Admin:Url=ftp://host", "Gateway:Demo=maybe", "Gateway:Manager:EventChanSize=0");

        Assert.Null(options);
        Assert.Equal(
            ["Gateway:Admin:Url", "Gateway:Demo", "Gateway:Frontend:HTTPPort", "Gateway:Manager:EventChanSize", "Gateway:Manager:SyncPeriod",
                "Gateway:Manager:SyncPeriodd", "Gateway:Providers:0:Type"],
            errors.Select(e => e[..e.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OptionsLoader_should_not_report_what_a_default_in_place_of_a_bad_value_implies()
    {
        // Type falls back to Rest while it does not convert; Rest would want a Url this File provider does not have.
        var (_, errors) = Load("Gateway:Providers:0:Type=Fille", "Gateway:Providers:0:Name=f", "Gateway:Providers:0:Path=/srv/backends.json");

        Assert.Equal(["Gateway:Providers:0:Type: must be one of Rest, File"], errors);
    }

    [Fact]
    public void OptionsLoader_should_accept_the_shipped_appsettings_with_providers()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .AddCommandLine(["--Gateway:Providers:0:Type=Rest", "--Gateway:Providers:0:Name=registry", "--Gateway:Providers:0:Url=http://registry:8500/backends"])
            .Build();

        var (options, errors) = OptionsLoader.Load(configuration);

        Assert.Empty(errors);
        Assert.Equal(8080, options!.Frontend.HttpPort);
        Assert.Equal("registry", options.Providers.Single().Name);
    }

    [Fact]
    public void OptionsLoader_should_bind_every_key_of_the_readme_under_the_seed_names()
    {
        var (options, errors) = Load(
            "Gateway:DataDir=/srv/gateway",
            "Gateway:Frontend:FrontendName=edge", "Gateway:Frontend:HTTPPort=8081", "Gateway:Frontend:HTTPSPort=8444",
            "Gateway:Frontend:HTTPSEnabled=true", "Gateway:Frontend:SSLCertDir=/srv/certs", "Gateway:Frontend:StrictSNI=true",
            "Gateway:Frontend:EnableHTTP2=false", "Gateway:Frontend:ALPN=http/1.1", "Gateway:Frontend:DefaultBackend=web",
            "Gateway:Frontend:IPv4BindAddr=127.0.0.1", "Gateway:Frontend:IPv6BindAddr=::1", "Gateway:Frontend:ForwardedHeaders=false",
            "Gateway:Manager:SyncPeriod=2s", "Gateway:Manager:EventChanSize=64", "Gateway:Manager:MinReloadInterval=500ms",
            "Gateway:Manager:ReloadQuietPeriod=00:00:00.250", "Gateway:Manager:MaxReloadDelay=1m",
            "Gateway:Manager:SettleDelay=30s", "Gateway:Manager:MoveDrainWait=2500ms",
            "Gateway:Haproxy:Binary=/usr/sbin/haproxy", "Gateway:Haproxy:Managed=false", "Gateway:Haproxy:KeepRunning=true",
            "Gateway:Haproxy:HttpReuse=aggressive",
            "Gateway:Persistence:Provider=PostgreSql", "Gateway:Persistence:ConnectionString=Host=db;Username=gw;Database=gw",
            "Gateway:Providers:0:Type=Rest", "Gateway:Providers:0:Name=registry", "Gateway:Providers:0:Url=http://registry:8500/backends",
            "Gateway:Providers:0:Interval=30s", "Gateway:Providers:0:Timeout=2s",
            "Gateway:Providers:1:Type=File", "Gateway:Providers:1:Name=static", "Gateway:Providers:1:Path=/srv/backends.json",
            "Gateway:Admin:Url=http://127.0.0.1:9901", "Gateway:Admin:Token=secret", "Gateway:Demo=true");

        Assert.Empty(errors);
        var o = options!;
        Assert.Equal("/srv/gateway", o.DataDir);
        Assert.Equal(new GatewayConfig
        {
            FrontendName = "edge", HttpPort = 8081, HttpsPort = 8444, HttpsEnabled = true, SslCertDir = "/srv/certs", StrictSni = true,
            EnableHttp2 = false, Alpn = "http/1.1", DefaultBackend = "web", IPv4BindAddr = "127.0.0.1", IPv6BindAddr = "::1",
            ForwardedHeaders = false,
        }, o.Frontend);
        Assert.Equal((TimeSpan.FromSeconds(2), 64, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(1)),
            (o.Manager.SyncPeriod, o.Manager.EventChanSize, o.Manager.MinReloadInterval, o.Manager.ReloadQuietPeriod, o.Manager.MaxReloadDelay));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(2500)), (o.Manager.SettleDelay, o.Manager.MoveDrainWait));
        Assert.Equal(("/usr/sbin/haproxy", false, true, HttpReuse.Aggressive), (o.Haproxy.Binary, o.Haproxy.Managed, o.Haproxy.KeepRunning, o.Haproxy.HttpReuse));
        Assert.Equal((PersistenceProvider.PostgreSql, "Host=db;Username=gw;Database=gw"), (o.Persistence.Provider, o.Persistence.ConnectionString));
        Assert.Equal((ProviderType.Rest, "registry", "http://registry:8500/backends", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)),
            (o.Providers[0].Type, o.Providers[0].Name, o.Providers[0].Url, o.Providers[0].Interval, o.Providers[0].Timeout));
        Assert.Equal((ProviderType.File, "static", "/srv/backends.json"), (o.Providers[1].Type, o.Providers[1].Name, o.Providers[1].Path));
        Assert.Equal(("http://127.0.0.1:9901", "secret", (bool?)true), (o.Admin.Url, o.Admin.Token, o.Demo));
    }
}
