using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Cluster;
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
/// recovered, and the curl lines to try them once they answer through HAProxy's port (/readyz
/// waits for that). The backends listen on the ports they had last time (kept in
/// <c>&lt;DataDir&gt;/demo-ports</c>) and start before the actor system, so the HAProxy a restart
/// brings up from the file on disk finds them where it expects them. Everything the demo stores
/// carries the source <see cref="Source"/>, so a node started later with the demo off removes it
/// (<see cref="DemoCleanup"/>).
/// </summary>
public sealed class DemoBackends(
    GatewayOptions options, IRequiredActor<BackendWriters> manager, IRequiredActor<RoutesWriter> routes,
    IRequiredActor<DesiredStateActor> desired, IRequiredActor<HaproxySyncActor> sync, AdminTokenInfo token, DemoReadiness readiness,
    ILogger<DemoBackends> log) : BackgroundService
{
    public const string Source = "demo";

    private readonly List<WebApplication> _apps = [];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private int _http1Port, _h2cPort;

    private string PortsFile => Path.Combine(options.FullDataDir, "demo-ports");

    /// <summary>Starts the demo's backends at once, on last time's ports when they are free; the rest runs in the background.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var last = ReadPorts();
        _http1Port = await StartBackendAsync("demo-http1", HttpProtocols.Http1, last.GetValueOrDefault("demo-http1"), cancellationToken);
        _h2cPort = await StartBackendAsync("demo-h2c", HttpProtocols.Http2, last.GetValueOrDefault("demo-h2c"), cancellationToken);
        await File.WriteAllTextAsync(PortsFile, $"demo-http1 {_http1Port}\ndemo-h2c {_h2cPort}\n", cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    private Dictionary<string, int> ReadPorts()
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(PortsFile))
            return ports;
        foreach (var line in File.ReadAllLines(PortsFile))
            if (line.Split(' ') is [var name, var port] && int.TryParse(port, out var number) && number is > 0 and <= 65535)
                ports[name] = number;
        return ports;
    }

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
        readiness.Waiting("the desired state to recover before its backends are registered");
        await DesiredStateRecovery.WaitAsync(await desired.GetAsync(stoppingToken), stoppingToken);
        readiness.Waiting("its backends and routes to be stored");
        var waits = new List<object?>
        {
            await Register(new Backend { Name = "demo-http1", Servers = [new BackendServer { Name = "s1", IP = "127.0.0.1", Port = _http1Port }] }),
            await Register(new Backend
            {
                Name = "demo-h2c",
                Protocol = ServerProtocol.H2c,
                Servers = [new BackendServer { Name = "s1", IP = "127.0.0.1", Port = _h2cPort }],
            }),
            await Register(new Route { Path = "/h2c", Backend = "demo-h2c" }),
            await Register(new Route { Path = "/", Backend = "demo-http1" }),
        }.OfType<object>().ToList();
        readiness.Waiting("HAProxy to serve its backends and routes");
        foreach (var wait in waits)
            if (await (await sync.GetAsync(stoppingToken)).Ask<object>(wait, Timeout + TimeSpan.FromSeconds(5), stoppingToken) is ApplyFailed failed)
                log.LogWarning("Demo not fully served: {Reason}", failed.Reason);
        readiness.Waiting("its backends to answer through HAProxy (health checks)");
        await AnswersThroughHaproxyAsync(stoppingToken);
        readiness.Waiting(null);
        Announce();
    }

    /// <summary>
    /// Waits until both demo paths answer 200 on HAProxy's plain port: "applied" is not yet "served"
    /// while HAProxy's health checks still hold a server down. Bounded; a demo that never answers
    /// says so in the log and in /readyz.
    /// </summary>
    private async Task AnswersThroughHaproxyAsync(CancellationToken stoppingToken)
    {
        var fe = options.Frontend;
        var host = fe.IPv4BindAddr is "" ? "[::1]" : fe.IPv4BindAddr is "0.0.0.0" ? "127.0.0.1" : fe.IPv4BindAddr;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        foreach (var path in new[] { "/hello", "/h2c/hello" })
        {
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync($"http://{host}:{fe.HttpPort}{path}", deadline.Token);
                    if (response.IsSuccessStatusCode)
                        break;
                }
                catch (HttpRequestException)
                {
                    // HAProxy not listening yet
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    readiness.Waiting($"{path} to answer through HAProxy (not within 60 s; see HAProxy's lines in the log)");
                    log.LogWarning("Demo not served: [{Path}] did not answer through HAProxy within 60 s", path);
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
    }

    /// <summary>Registers a demo backend; returns what to wait for until HAProxy serves it (null if it was not registered).</summary>
    private async Task<AwaitApplied?> Register(Backend backend)
    {
        var reply = await (await manager.GetAsync()).Ask<object>(new UpsertBackend(backend, Source), Timeout);
        if (reply is BackendAccepted accepted)
            return new AwaitApplied(backend.Name, accepted.Version, Timeout);
        log.LogWarning("Demo backend [{Backend}] not registered: {Reply}", backend.Name, reply);
        return null;
    }

    private async Task<AwaitRoutesApplied?> Register(Route route)
    {
        var reply = await (await routes.GetAsync()).Ask<object>(new SetRoute(route, Source), Timeout);
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

    /// <summary>Starts one demo backend on <paramref name="port"/> if it is free, else on any free port; returns the port.</summary>
    private async Task<int> StartBackendAsync(string name, HttpProtocols protocols, int port, CancellationToken cancellationToken)
    {
        try
        {
            return await ListenAsync(name, protocols, port, cancellationToken);
        }
        catch (IOException) when (port != 0)
        {
            return await ListenAsync(name, protocols, 0, cancellationToken); // taken since: another one
        }
    }

    private async Task<int> ListenAsync(string name, HttpProtocols protocols, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = protocols));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(
            $"Hello from {name}: you reached it over {context.Request.Protocol}, path {context.Request.Path}\n", cancellationToken));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
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
