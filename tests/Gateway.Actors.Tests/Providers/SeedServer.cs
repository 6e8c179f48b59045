using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// A real HTTP source of backends on loopback (Kestrel on a free port): serves the seed's
/// <c>{"backends":[…]}</c> document, or on demand an HTTP 500, a malformed document, or a response
/// that never comes (until the client gives up). Counts the requests it answered in each mode.
/// </summary>
public sealed class SeedServer : IAsyncDisposable
{
    public enum Mode { Good, Error, Malformed, Slow }

    private readonly WebApplication _app;
    private readonly int[] _served = new int[4];
    private volatile Mode _mode = Mode.Good;
    private volatile string _document = "{\"backends\":[]}";

    private SeedServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<SeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // port 0: Kestrel binds a free loopback port itself, so no other process can take it in between
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new SeedServer(app);
        app.MapGet("/backends", server.ServeAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.Single().TrimEnd('/') + "/backends");
        return server;
    }

    public void Serve(params Backend[] backends)
    {
        _document = GatewayJson.Serialize(new BackendList { Backends = backends });
        _mode = Mode.Good;
    }

    public void Switch(Mode mode) => _mode = mode;

    public int Served(Mode mode) => Volatile.Read(ref _served[(int)mode]);

    private async Task ServeAsync(HttpContext context)
    {
        var mode = _mode;
        switch (mode)
        {
            case Mode.Good:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(_document, context.RequestAborted);
                break;
            case Mode.Error:
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                break;
            case Mode.Malformed:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"backends\":[{\"name\":\"a\",\"servers\":[", context.RequestAborted);
                break;
            case Mode.Slow:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted); // until the client times out and aborts
                }
                catch (OperationCanceledException)
                {
                }
                break;
        }
        Interlocked.Increment(ref _served[(int)mode]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
