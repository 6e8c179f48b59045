using Xunit;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Testing;

/// <summary>
/// A real HAProxy 2.6 for one test: its own directory, free loopback ports (plain and TLS with a
/// self-signed certificate), started in master-worker mode on a config rendered from
/// <see cref="Backends"/> and <see cref="Routes"/>, and stopped on dispose.
/// </summary>
public sealed class HaproxyUnderTest : IAsyncDisposable
{
    private readonly TempDir _dir;

    private HaproxyUnderTest(TempDir dir, GatewayConfig frontend, HaproxyOptions options)
    {
        _dir = dir;
        Layout = HaproxyLayout.Under(dir.Path);
        Frontend = frontend;
        Options = options;
        Runtime = new RuntimeApiClient(Layout.RuntimeSocket);
        Master = new MasterCli(Layout.MasterSocket);
        Transaction = new ConfigTransaction(Layout, options, Runtime, Master);
        Process = new HaproxyProcess(Layout, options);
    }

    public HaproxyLayout Layout { get; }
    public GatewayConfig Frontend { get; }
    public HaproxyOptions Options { get; }
    public RuntimeApiClient Runtime { get; }
    public MasterCli Master { get; }
    public ConfigTransaction Transaction { get; }
    public HaproxyProcess Process { get; }
    public List<Backend> Backends { get; } = [];
    public List<Route> Routes { get; } = [];

    public string PlainUrl => $"http://127.0.0.1:{Frontend.HttpPort}";
    public string TlsUrl => $"https://127.0.0.1:{Frontend.HttpsPort}";

    public static async Task<HaproxyUnderTest> StartAsync(
        IEnumerable<Backend>? backends = null, IEnumerable<Route>? routes = null,
        Func<GatewayConfig, GatewayConfig>? frontend = null, HaproxyOptions? options = null)
    {
        var dir = new TempDir("gwh");
        var certs = Path.Combine(dir.Path, "certs");
        TestCertificate.WritePem(certs);
        var config = new GatewayConfig
        {
            HttpPort = FreePort.Next(),
            HttpsPort = FreePort.Next(),
            HttpsEnabled = true,
            SslCertDir = certs,
            IPv4BindAddr = "127.0.0.1",
            IPv6BindAddr = "",
        };
        var haproxy = new HaproxyUnderTest(dir, frontend?.Invoke(config) ?? config,
            options ?? new HaproxyOptions { HardStopAfter = TimeSpan.FromSeconds(10) });
        haproxy.Backends.AddRange(backends ?? []);
        haproxy.Routes.AddRange(routes ?? []);
        var written = await haproxy.CommitAsync("initial configuration", reload: false);
        if (!written.Succeeded)
            throw new InvalidOperationException($"initial config refused: {string.Join("; ", written.Errors)}");
        await haproxy.Process.StartAsync(CancellationToken.None);
        return haproxy;
    }

    public RenderedConfig Render() => ConfigRenderer.Render(Frontend, Options, Layout, Backends, Routes);

    /// <summary>Renders <see cref="Backends"/> and <see cref="Routes"/> and commits them.</summary>
    public Task<CommitResult> CommitAsync(string reason, bool reload = true) =>
        Transaction.CommitAsync(Render(), Backends, reason, reload);

    public Task<ProcInfo> ProcAsync() => Master.ShowProcAsync(CancellationToken.None);

    public async Task<IReadOnlyList<LiveServer>> ServersAsync(string? backend = null)
    {
        var reply = await Runtime.ExecuteAsync(RuntimeCommands.ShowServersState(backend));
        Assert.True(reply.Ok, reply.Output);
        return ServerStates.Parse(reply.Output);
    }

    public async Task<RuntimeReply> RunAsync(RuntimeCommand command)
    {
        var reply = await Runtime.ExecuteAsync(command);
        Assert.True(reply.Ok, $"{command.Text} → {reply.Output}");
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync(); // an open CLI connection would hold the soft-stopping worker
        await Process.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _dir.Dispose();
    }
}
