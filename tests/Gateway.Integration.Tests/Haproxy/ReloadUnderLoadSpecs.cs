using System.Net;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>
/// Reloads under a bounded load lose no request: HTTP/1.1 keep-alive, h2c and HTTP/2 over TLS,
/// with clients that retry what the server did not process (GOAWAY, a reused connection closed
/// before any response), as .NET's HttpClient does; also when new clients share server connections.
/// </summary>
[Collection(nameof(LoadCollection))]
public sealed class ReloadUnderLoadSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Reloads = 10;
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private HaproxyUnderTest? _haproxy;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b", http2: true);
    }

    private Task<HaproxyUnderTest> StartHaproxyAsync(HttpReuse reuse) =>
        HaproxyUnderTest.StartAsync(
            [
                new Backend { Name = "web", Servers = [new BackendServer { Name = "s1", IP = _a.IP, Port = _a.Port }] },
                new Backend { Name = "grpc", Protocol = ServerProtocol.H2c, Servers = [new BackendServer { Name = "s1", IP = _b.IP, Port = _b.Port }] },
            ],
            [new Route { Host = "grpc.test", Backend = "grpc" }],
            fe => fe with { DefaultBackend = "web" },
            new HaproxyOptions { HardStopAfter = TimeSpan.FromSeconds(10), HttpReuse = reuse });

    public async Task DisposeAsync()
    {
        if (_haproxy is not null)
            await _haproxy.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    /// <summary>Each client kind, to the HTTP/1.1 server and (by Host) to the h2c one; and with server connections shared by new clients (<c>http-reuse aggressive</c>).</summary>
    public static TheoryData<string, string?, HttpReuse> Clients_ => new()
    {
        { "http1-keepalive", null, HttpReuse.Safe },
        { "h2c", null, HttpReuse.Safe },
        { "h2-tls", null, HttpReuse.Safe },
        { "h2-tls", "grpc.test", HttpReuse.Safe },
        { "http1-keepalive", null, HttpReuse.Aggressive },
        { "http1-keepalive", "grpc.test", HttpReuse.Aggressive },
    };

    [Theory]
    [MemberData(nameof(Clients_))]
    public async Task Reloads_under_load_should_lose_no_request(string kind, string? host, HttpReuse reuse)
    {
        var haproxy = _haproxy = await StartHaproxyAsync(reuse);
        using var client = kind switch
        {
            "http1-keepalive" => Clients.Http1(keepAlive: true),
            "h2c" => Clients.H2c(),
            _ => Clients.Tls(HttpVersion.Version20),
        };
        var url = (kind == "h2-tls" ? haproxy.TlsUrl : haproxy.PlainUrl) + "/";
        await using var load = new LoadLoop(client, url, workers: 8, host: host);
        await load.Progress(200);

        for (var i = 0; i < Reloads; i++)
        {
            // Each reload carries a real change: a backend comes or goes.
            if (i % 2 == 0)
                haproxy.Backends.Add(new Backend { Name = $"extra{i}", Servers = [new BackendServer { Name = "x", IP = _a.IP, Port = _a.Port }] });
            else
                haproxy.Backends.RemoveAll(b => b.Name.StartsWith("extra", StringComparison.Ordinal));
            var result = await haproxy.CommitAsync($"reload {i} under load");
            Assert.Equal(CommitOutcome.Reloaded, result.Outcome);
            await load.Progress(50);
        }
        await load.StopAsync();

        output.WriteLine($"{kind}{(host is null ? "" : $" to {host}")}, http-reuse {reuse}: {load.Requests} requests across {Reloads} reloads, {load.Failures} failed: {string.Join("; ", load.Errors)}");
        Assert.True(load.Requests > Reloads * 50);
        Assert.Equal(0, load.Failures);
    }
}

/// <summary>Load tests run one at a time: they share two cores with everything else.</summary>
[CollectionDefinition(nameof(LoadCollection), DisableParallelization = true)]
public sealed class LoadCollection;
