using System.Diagnostics;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Bench;

/// <summary>
/// The least an ASP.NET Core answer costs on this machine: a process of its own (server GC, as the
/// node) whose Kestrel answers every request with "ok", no routing, no middleware, no logging.
/// Timed after the same rest as a lone change, it is the HTTP share no admin API on Kestrel can
/// beat; the node's <c>GET /healthz</c> beside it shows what the node's own pipeline adds.
/// The bench starts it as <c>Gateway.Bench.dll kestrel-floor &lt;port&gt;</c>.
/// </summary>
public sealed class KestrelFloor : IAsyncDisposable
{
    public const string Suite = "kestrel-floor";

    private readonly Process _process;

    private KestrelFloor(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    /// <summary>A client like the bench's admin client: HTTP/1.1, one kept connection.</summary>
    public HttpClient Client { get; }

    /// <summary>The floor's server: answers until the bench kills it.</summary>
    public static async Task ServeAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentLength = 2;
            return context.Response.WriteAsync("ok");
        });
        await app.RunAsync($"http://127.0.0.1:{port}");
    }

    public static async Task<KestrelFloor> StartAsync()
    {
        var port = FreePort.Next();
        var process = Process.Start(new ProcessStartInfo("dotnet", [typeof(KestrelFloor).Assembly.Location, Suite, port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("dotnet did not start the Kestrel floor");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
                Console.Error.WriteLine($"kestrel-floor: {line}");
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var floor = new KestrelFloor(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) });
        try
        {
            await Eventually.True(async () => (await floor.Client.GetStringAsync("/")) == "ok", TimeSpan.FromSeconds(30), "the Kestrel floor to answer");
            return floor;
        }
        catch
        {
            await floor.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
