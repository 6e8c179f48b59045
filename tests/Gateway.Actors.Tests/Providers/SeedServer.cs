using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// A real HTTP source of backends on loopback (Kestrel on a free port): serves the seed's
/// <c>{"backends":[…]}</c> document, or on demand an HTTP 500, a malformed document, a response
/// that never comes (until the client gives up), a body that does not end (chunked), or one that
/// announces a huge Content-Length. Counts the requests it answered in each mode.
/// </summary>
public sealed class SeedServer : IAsyncDisposable
{
    public enum Mode { Good, Error, Malformed, Slow, Endless, HugeLength }

    /// <summary>The most an endless or huge body sends, should nobody stop reading it.</summary>
    public const long BodyBound = 512L * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly int[] _served = new int[6];
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

    /// <summary>Serves this text as the document, as it is (typos included).</summary>
    public void ServeRaw(string document)
    {
        _document = document;
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
            case Mode.Endless or Mode.HugeLength:
                await SendBodyAsync(context, mode == Mode.HugeLength);
                break;
        }
        Interlocked.Increment(ref _served[(int)mode]);
    }

    /// <summary>Spaces (valid JSON padding) until the client hangs up, or up to <see cref="BodyBound"/>; chunked unless announced.</summary>
    private async Task SendBodyAsync(HttpContext context, bool announced)
    {
        context.Response.ContentType = "application/json";
        if (announced)
            context.Response.ContentLength = BodyBound;
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        try
        {
            for (long sent = 0; sent < BodyBound && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // the client hung up: what the spec wants
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
