using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Routes;
using Gateway.Actors.Sync;
using Gateway.Node.Configuration;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Route = Gateway.Shared.Model.Route;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Node.Demo;

/// <summary>
/// With <c>Gateway:Demo=true</c> (scripts/run.sh with no provider), the node shows what it does: two
/// small local backends (one HTTP/1.1, one h2c) registered with routes once the desired state has
/// recovered, and the curl lines to try them once HAProxy serves them (/readyz waits for that).
/// Everything it stores carries the source <see cref="Source"/>, so a node started later with the
/// demo off removes it (<see cref="DemoCleanup"/>).
/// </summary>
public sealed class DemoBackends(
    GatewayOptions options, IRequiredActor<BackendManagerActor> manager, IRequiredActor<RoutesActor> routes,
    IRequiredActor<DesiredStateActor> desired, IRequiredActor<HaproxySyncActor> sync, AdminTokenInfo token, DemoReadiness readiness,
    ILogger<DemoBackends> log) : BackgroundService
{
    public const string Source = "demo";

    private readonly List<WebApplication> _apps = [];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (AskTimeoutException e)
        {
            // the node runs on without its demo; /readyz says so
            readiness.Waiting($"an answer from the node (none in time: {e.Message}); see the log");
            log.LogWarning("Demo not served: no answer in time ({Error})", e.Message);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var http1 = await StartBackendAsync("demo-http1", HttpProtocols.Http1, stoppingToken);
        var h2c = await StartBackendAsync("demo-h2c", HttpProtocols.Http2, stoppingToken);
        readiness.Waiting("the desired state to recover before its backends are registered");
        await DesiredStateRecovery.WaitAsync(desired.ActorRef, stoppingToken);
        readiness.Waiting("its backends and routes to be stored");
        var waits = new List<object?>
        {
            await Register(new Backend { Name = "demo-http1", Servers = [new BackendServer { Name = "s1", IP = "127.0.0.1", Port = http1 }] }),
            await Register(new Backend
            {
                Name = "demo-h2c",
                Protocol = ServerProtocol.H2c,
                Servers = [new BackendServer { Name = "s1", IP = "127.0.0.1", Port = h2c }],
            }),
            await Register(new Route { Path = "/h2c", Backend = "demo-h2c" }),
            await Register(new Route { Path = "/", Backend = "demo-http1" }),
        }.OfType<object>().ToList();
        readiness.Waiting("HAProxy to serve its backends and routes");
        foreach (var wait in waits)
            if (await sync.ActorRef.Ask<object>(wait, Timeout + TimeSpan.FromSeconds(5), stoppingToken) is ApplyFailed failed)
                log.LogWarning("Demo not fully served: {Reason}", failed.Reason);
        readiness.Waiting(null);
        Announce();
    }

    /// <summary>Registers a demo backend; returns what to wait for until HAProxy serves it (null if it was not registered).</summary>
    private async Task<AwaitApplied?> Register(Backend backend)
    {
        var reply = await manager.ActorRef.Ask<object>(new UpsertBackend(backend, Source), Timeout);
        if (reply is BackendAccepted accepted)
            return new AwaitApplied(backend.Name, accepted.Version, Timeout);
        log.LogWarning("Demo backend [{Backend}] not registered: {Reply}", backend.Name, reply);
        return null;
    }

    private async Task<AwaitRoutesApplied?> Register(Route route)
    {
        var reply = await routes.ActorRef.Ask<object>(new SetRoute(route, Source), Timeout);
        if (reply is RouteAccepted accepted)
            return new AwaitRoutesApplied(accepted.Version, Timeout);
        log.LogWarning("Demo route [{Route}] not registered: {Reply}", route.Key, reply);
        return null;
    }

    /// <summary>The curl lines to try, once HAProxy serves the demo.</summary>
    private void Announce()
    {
        var fe = options.Frontend;
        var admin = options.Admin.Url.TrimEnd('/');
        var auth = token.File is null ? "Authorization: Bearer <your Gateway:Admin:Token>" : $"Authorization: Bearer $(cat {token.File})";
        var https = fe.HttpsEnabled ? fe.HttpsPort : fe.HttpPort;
        var help = $$"""

            Gateway demo is serving. Try:
              curl --http2-prior-knowledge http://localhost:{{fe.HttpPort}}/h2c/hello    # HTTP/2 from end to end (h2c backend)
              curl http://localhost:{{fe.HttpPort}}/hello                                # HTTP/1.1 backend
              curl -k --http2 https://localhost:{{https}}/h2c/hello                     # TLS + ALPN h2 in front
            Add a backend and a route through the admin API:
              curl -X PUT -H "{{auth}}" {{admin}}/api/backends/my-api -d '{"servers":[{"name":"s1","ip":"127.0.0.1","port":3000}]}'
              curl -X PUT -H "{{auth}}" {{admin}}/api/routes -d '{"host":"","path":"/my-api","backend":"my-api"}'
              curl -H "{{auth}}" {{admin}}/api/status
            """;
        log.LogInformation("{DemoHelp}", help);
    }

    private async Task<int> StartBackendAsync(string name, HttpProtocols protocols, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(
            $"Hello from {name}: you reached it over {context.Request.Protocol}, path {context.Request.Path}\n", cancellationToken));
        await app.StartAsync(cancellationToken);
        _apps.Add(app);
        return new Uri(app.Urls.First()).Port;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var app in _apps)
            await app.StopAsync(cancellationToken);
    }
}

/// <summary>Where the admin token lives, for the hints printed to the user.</summary>
public sealed record AdminTokenInfo(string? File);
