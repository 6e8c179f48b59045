using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Gateway.Testing;

/// <summary>
/// A real Kestrel server standing in for a user's backend. It answers every request with what it
/// saw: <c>server=… proto=… scheme=… host=… path=…</c>, so a test sees which server served a
/// request and over which protocol; the <c>x-connection</c> header names the connection it came on.
/// <c>/slow?ms=N</c> answers after N ms, for in-flight tests.
/// Cleartext HTTP/2 (h2c prior knowledge) when <paramref name="http2"/>, HTTP/1.1 otherwise; a
/// strict server: it refuses a <c>:scheme</c> that does not match its endpoint, like real ones.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private TestBackend(string name, int port, WebApplication app)
    {
        Name = name;
        Port = port;
        _app = app;
    }

    public string Name { get; }
    public int Port { get; }
    public string IP => "127.0.0.1";
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<TestBackend> StartAsync(string name, bool http2 = false, int? port = null)
    {
        var chosen = port ?? FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, chosen, listen => listen.Protocols = http2 ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var backend = new TestBackend(name, chosen, app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref backend._requests);
            if (context.Request.Path == "/slow" && int.TryParse(context.Request.Query["ms"], out var ms))
                await Task.Delay(ms, context.RequestAborted);
            context.Response.Headers["x-server"] = name;
            context.Response.Headers["x-proto"] = context.Request.Protocol;
            context.Response.Headers["x-connection"] = context.Connection.Id;
            await context.Response.WriteAsync(
                $"server={name} proto={context.Request.Protocol} scheme={context.Request.Scheme} host={context.Request.Host} path={context.Request.Path} xfp={context.Request.Headers["x-forwarded-proto"]} xff={context.Request.Headers["x-forwarded-for"]}\n");
        });
        await app.StartAsync();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
