using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
namespace Gateway.Testing;

/// <summary>A real HTTP source serving the seed's JSON document, which a test can change or make fail.</summary>
public sealed class SourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Func<string> _document = () => """{"backends":[]}""";
    private volatile int _failWith;
    private int _requests;
    private readonly List<(DateTime At, string? Node)> _polls = [];

    private SourceServer(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}/backends";
    }

    public string Url { get; }
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Every request, with the <c>node</c> query parameter its URL carried (tests give each node its own).</summary>
    public IReadOnlyList<(DateTime At, string? Node)> Polls
    {
        get
        {
            lock (_polls)
                return [.. _polls];
        }
    }

    public static async Task<SourceServer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var source = new SourceServer(app, port);
        app.MapGet("/backends", (HttpContext context) =>
        {
            Interlocked.Increment(ref source._requests);
            lock (source._polls)
                source._polls.Add((DateTime.UtcNow, context.Request.Query["node"].FirstOrDefault()));
            return source._failWith != 0
                ? Results.Text("source broken", statusCode: source._failWith)
                : Results.Text(source._document(), "application/json");
        });
        await app.StartAsync();
        return source;
    }

    public void Serve(string document) => Serve(() => document);

    /// <summary>Each request is answered with a fresh document.</summary>
    public void Serve(Func<string> document)
    {
        _document = document;
        _failWith = 0;
    }

    public void Fail(int status = 500) => _failWith = status;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
