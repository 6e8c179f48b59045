using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Akka.Persistence.Sql.Query;
using Gateway.Actors.Backends;
using Gateway.Actors.Cluster;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Persistence;
using Gateway.Actors.Routes;
using Gateway.Actors.Sync;
using Gateway.Actors.Providers;
using Gateway.Node;
using Gateway.Node.Admin;
using Gateway.Node.Configuration;
using Gateway.Node.Demo;
using Gateway.Node.Logging;
using Gateway.Shared.Messages;
using Gateway.Shared.Serialization;
using Serilog;

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
    .Enrich.With<SourceSuffix>()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{" + SourceSuffix.Property + ":l}{NewLine}{Exception}")
    .CreateLogger();

try
{
    // appsettings.json and hocon/ ship next to the binary, wherever the node is started from.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var (options, errors) = OptionsLoader.Load(builder.Configuration);
    if (options is null)
    {
        foreach (var error in errors)
            Log.Error("Configuration: {Error}", error);
        return ExitCodes.Configuration;
    }

    NodeSetup node;
    DataDirLock dataDirLock;
    try
    {
        // before anything is written there: a second node on the dir must not touch its files
        dataDirLock = DataDirLock.Take(options.FullDataDir);
        node = NodeSetup.Prepare(options);
    }
    catch (DataDirInUseException e)
    {
        Log.Error("Configuration: Gateway:DataDir: {Error}; a data dir serves one node (its journal, its HAProxy, its admin token): "
            + "stop that node first, or give this one a data dir of its own", e.Message);
        return ExitCodes.Configuration;
    }
    catch (Exception e) when (e is UnauthorizedAccessException or IOException)
    {
        // a read-only mount, another user's directory, a full disk: said as the setting it is, not as a crash
        Log.Error("Configuration: Gateway:DataDir: the node cannot write [{DataDir}] ({Error}); it keeps its journal, HAProxy's files, "
            + "certificates and admin token there", options.FullDataDir, e.Message);
        return ExitCodes.Configuration;
    }
    using var heldDataDir = dataDirLock; // held until the node has stopped
    builder.Host.UseSerilog();
    builder.WebHost.UseUrls(options.Admin.Url);
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
    builder.Services.AddSingleton(options);
    builder.Services.AddSingleton(new AdminTokenInfo(node.Token.File));
    builder.Services.AddSingleton<IHaproxyClient>(services => node.CreateHaproxyClient(services.GetRequiredService<ILoggerFactory>()));

    builder.Services.AddSingleton(new DemoReadiness(options.Demo));
    if (options.Demo)
        builder.Services.AddHostedService<DemoBackends>(); // before the actor system: its backends listen before HAProxy comes up

    var clustered = options.Cluster.Enabled;
    if (options.Cluster.ExposedWithoutTls)
        Log.Warning("Cluster remoting listens on [{RemotingAddress}] without TLS: whoever reaches that port can change what every HAProxy serves; "
            + "set Gateway:Cluster:Tls:CertificatePath on every node", options.Cluster.SelfAddress);
    else if (clustered && options.Cluster.Tls.Enabled)
        Log.Information("Cluster remoting on [{RemotingAddress}] with mutual TLS: peers must present {Peers}", options.Cluster.SelfAddress,
            string.IsNullOrEmpty(options.Cluster.Tls.CaPath) ? "this node's certificate" : "a certificate signed by a CA of Gateway:Cluster:Tls:CaPath");
    builder.Services.AddAkka(ClusterOptions.SystemName, (akka, services) =>
    {
        akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<SerilogLogger>();
            })
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "gateway.conf"), HoconAddMode.Append)
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", node.JournalHoconFile), HoconAddMode.Append)
            .WithCustomSerializer(GatewaySerializer.Name, [typeof(IGatewayMessage)], system => new GatewaySerializer(system))
            .WithSqlPersistence(node.DataOptions, autoInitialize: true, tagStorageMode: Akka.Persistence.Sql.Config.TagMode.Csv)
            .AddJournalReadiness(SqlReadJournal.Identifier, node.JournalDescription)
            .AddUndeliveredCommands()
            .AddBackendCatalog()
            .AddDesiredState(WritersHosting.RoutesWriterPath);
        if (clustered)
            akka.AddMembership(options.Cluster.Membership).AddJournalTail(WritersHosting.RoutesWriterPath);
        akka.AddWriters(clustered)
            .AddHaproxySync(node.SyncSettings, services.GetRequiredService<IHaproxyClient>())
            .AddServedEverywhere(clustered)
            .AddProviders(node.CreateProviders(), options.Manager.EventChanSize, clustered);
        if (clustered)
            akka.AddConvergence();
    });
    if (!options.Demo)
        builder.Services.AddHostedService<DemoCleanup>();

    var app = builder.Build();
    app.MapAdminApi(node.Token);
    Log.Information("Gateway node: data in [{DataDir}], admin API on [{AdminUrl}], HAProxy {Mode}", node.DataDir, options.Admin.Url,
        options.Haproxy.Managed ? "managed" : "adopted");
    if (node.Token.File is not null)
        Log.Information("Admin API token: [{TokenFile}]", node.Token.File);
    CoordinatedShutdown.Reason? reason = null; // read while the services live: after the run they are disposed
    app.Lifetime.ApplicationStopping.Register(() => reason = CoordinatedShutdown.Get(app.Services.GetRequiredService<ActorSystem>()).ShutdownReason);
    await app.RunAsync();
    var (exitCode, why) = ExitCodes.After(reason);
    if (why is not null)
        Log.Error("{Why}; exiting with [{ExitCode}] so that its supervisor starts it again", why, exitCode);
    return exitCode;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "Gateway node stopped");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
