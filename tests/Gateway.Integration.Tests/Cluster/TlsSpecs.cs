using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Integration.Tests.Cluster;

/// <summary>
/// Remoting over mutual TLS, with real node processes on loopback and one PostgreSQL journal: nodes
/// holding the cluster's certificate form a cluster; a node with another certificate, even one that
/// trusts the cluster's, is refused at the handshake and never joins; a client without a certificate
/// cannot talk to the remoting port at all.
/// </summary>
public sealed class TlsSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(60);

    private readonly NodeCluster _cluster = new(output);
    private readonly TempDir _certs = new("gwcert");

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _certs.Dispose();
    }

    private NodeSettings Node(int port, string seed, params string[] tls) => _cluster.Settings(port, seed, tls.Select(t => $"--Gateway:Cluster:Tls:{t}"));

    private static Task ServesAsync(NodeProcess node, string host, string server) => NodeCluster.ServeAsync([node], host, server);

    [Fact]
    public async Task Only_nodes_with_the_clusters_certificate_should_join_and_be_heard()
    {
        // the cluster's certificate, as a PEM pair; a stranger's, with a CA file that also trusts the cluster's (so only the cluster can refuse it)
        var cluster = TestCertificate.WriteFiles(_certs.Path, "cluster");
        var stranger = TestCertificate.WriteFiles(_certs.Path, "stranger");
        var trustsBoth = _certs.File("trusts-both.crt");
        await File.WriteAllTextAsync(trustsBoth, await File.ReadAllTextAsync(cluster.CertificatePem) + await File.ReadAllTextAsync(stranger.CertificatePem));
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort.Next()).ToList();
        var seed = $"akka.ssl.tcp://gateway@127.0.0.1:{ports[0]}";
        string[] member = [$"CertificatePath={cluster.CertificatePem}", $"KeyPath={cluster.KeyPem}"];

        // two members form a cluster over TLS: a change through node 1 is served by node 2, and one through node 2 (sharded writers) by node 1
        _cluster.Nodes.Add(await NodeProcess.StartAsync(Node(ports[0], seed, member), TimeSpan.FromSeconds(90)));
        _cluster.Nodes.Add(await NodeProcess.StartAsync(Node(ports[1], seed, member), TimeSpan.FromSeconds(90)));
        var (node1, node2) = (_cluster.Nodes[0], _cluster.Nodes[1]);
        await node1.PutOkAsync("/api/backends/shop?wait=true", NodeCluster.Backend("shop", _cluster.A));
        await node1.PutOkAsync("/api/routes?wait=true", """{"host":"shop.test","path":"","backend":"shop"}""");
        await ServesAsync(node2, "shop.test", "a");
        await node2.PutOkAsync("/api/backends/shop?wait=true", NodeCluster.Backend("shop", _cluster.B));
        await ServesAsync(node1, "shop.test", "b");
        Assert.Contains($"[akka.ssl.tcp://gateway@127.0.0.1:{ports[1]}] to [Up]", node1.Output);

        // a stranger's node tries to join: node 1 refuses its certificate, and it never becomes a member. Seen from node 3 the
        // refusal comes either after its side of the handshake finished (the association times out, it retries) or during it
        // (Akka 1.5.73 then runs CoordinatedShutdown, exit code 79, on any failed outbound handshake): either is the end of it.
        var node3 = NodeProcess.Launch(Node(ports[2], seed, $"CertificatePath={stranger.CombinedPem}", $"CaPath={trustsBoth}"));
        _cluster.Nodes.Add(node3);
        await Eventually.True(() => Task.FromResult(node1.Output.Contains("Refused the remoting TLS handshake with", StringComparison.Ordinal)
            && node1.Output.Contains("its certificate [CN=stranger]", StringComparison.Ordinal)), Refused, "node 1 refusing the stranger's certificate");
        await Eventually.True(() => Task.FromResult(node3.Output.Contains($"Association failed with {seed}", StringComparison.Ordinal)
                && (node3.Output.Contains("Couldn't join seed nodes", StringComparison.Ordinal) || node3.Output.Contains("Exiting with [ExitCode:79]", StringComparison.Ordinal))),
            Refused, "node 3 failing to associate with node 1, then giving up a join attempt or stopping on the failed handshake");
        Assert.DoesNotContain($"127.0.0.1:{ports[2]}] is JOINING", node1.Output + node2.Output);
        Assert.DoesNotContain($"127.0.0.1:{ports[2]}] to [Up]", node1.Output + node2.Output);
        Assert.DoesNotContain("Welcome from", node3.Output);
        output.WriteLine($"node 3: {(node3.HasExited ? $"exited with {node3.ExitCode}" : "still trying to join")}");

        // a client without a certificate gets nothing through node 1's remoting port, nor one speaking plain TCP (a node without TLS)
        await Assert.ThrowsAnyAsync<Exception>(() => TalkWithoutCertificateAsync(ports[0]));
        await Eventually.True(() => Task.FromResult(node1.Output.Contains("client did not provide a certificate", StringComparison.Ordinal)), Refused,
            "node 1 logging the connection without a certificate");
        var rejectedBefore = node1.Output.Split("Rejected incoming connection").Length;
        Assert.Equal(0, await TalkPlainAsync(ports[0]));
        await Eventually.True(() => Task.FromResult(node1.Output.Split("Rejected incoming connection").Length > rejectedBefore), Refused,
            "node 1 rejecting the plain TCP connection");
    }

    /// <summary>What a node without TLS would send first (a length-prefixed frame); the bytes read back before the port closed the connection.</summary>
    private static async Task<int> TalkPlainAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(new byte[] { 0, 0, 0, 8, 10, 6, 10, 4, 116, 101, 115, 116 }, timeout.Token);
        var total = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(new byte[256], timeout.Token)) > 0)
                total += read;
        }
        catch (IOException)
        {
            // reset by the port: closed as well
        }
        return total;
    }

    [Fact]
    public async Task A_node_whose_plain_remoting_listens_beyond_loopback_should_warn_at_start()
    {
        // a host name other than localhost may resolve anywhere; the node is stopped once the line is there, ready or not
        var host = Dns.GetHostName();
        var port = FreePort.Next();
        var node = NodeProcess.Launch(new NodeSettings(_cluster.NewDir())
        {
            Extra = [$"--Gateway:Cluster:Hostname={host}", $"--Gateway:Cluster:Port={port}", $"--Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@{host}:{port}"],
        });
        _cluster.Nodes.Add(node);

        await Eventually.True(() => Task.FromResult(node.Output.Contains("without TLS", StringComparison.Ordinal)), NodeCluster.Converged, "the warning");

        Assert.Contains($"WRN] Cluster remoting listens on [akka.tcp://gateway@{host}:{port}] without TLS: whoever reaches that port can change what "
            + "every HAProxy serves; set Gateway:Cluster:Tls:CertificatePath on every node", node.Output);
    }

    /// <summary>A TLS client that trusts any server and presents no certificate; throws when the server refuses it (ends the conversation).</summary>
    private static async Task TalkWithoutCertificateAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
        await tls.WriteAsync(new byte[] { 0, 0, 0, 4, 1, 2, 3, 4 }, timeout.Token);
        int read;
        try
        {
            read = await tls.ReadAsync(new byte[16], timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return; // held open without a word is not a refusal
        }
        if (read == 0)
            throw new IOException("the remoting port closed the connection");
    }
}
