using Gateway.Node.Configuration;
using Gateway.Testing;
using Microsoft.Extensions.Configuration;

namespace Gateway.Node.Tests.Configuration;

/// <summary>
/// <c>Gateway:Cluster:Tls</c> as a user meets it: the certificate read at start as remoting will read
/// it, each problem one line naming the key at fault (exit 2), seed addresses in the scheme TLS implies,
/// and the warning for plain remoting beyond loopback.
/// </summary>
public sealed class ClusterTlsOptionsSpecs : IDisposable
{
    private const string Pg = "Gateway:Persistence:Provider=PostgreSql";
    private const string PgConnection = "Gateway:Persistence:ConnectionString=Host=db";
    private const string Port = "Gateway:Cluster:Port=4053";
    private const string TlsSeed = "Gateway:Cluster:SeedNodes:0=akka.ssl.tcp://gateway@127.0.0.1:4053";
    private const string Tls = "Gateway:Cluster:Tls:";

    private readonly TempDir _dir = new("gwtlso");
    private readonly CertificateFiles _node;

    public ClusterTlsOptionsSpecs() => _node = TestCertificate.WriteFiles(_dir.Path, "node");

    public void Dispose() => _dir.Dispose();

    private static (GatewayOptions? Options, IReadOnlyList<string> Errors) Load(params string[] settings)
    {
        var pairs = settings.Select(s => s.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], (string?)p[1]));
        return OptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(pairs).Build());
    }

    /// <summary>A cluster of one on loopback with TLS and <paramref name="tls"/> as its Tls keys.</summary>
    private static (GatewayOptions? Options, IReadOnlyList<string> Errors) LoadTls(params string[] tls) =>
        Load([Port, TlsSeed, .. tls.Select(t => Tls + t)]);

    [Fact]
    public void Cluster_tls_should_take_a_PEM_pair_a_combined_PEM_a_PKCS12_file_or_a_CA()
    {
        using var ca = TestCertificate.CreateAuthority(_dir.Path, "ca");
        var signed = TestCertificate.WriteFiles(_dir.Path, "signed", ca);

        var loads = new[]
        {
            LoadTls($"CertificatePath={_node.CertificatePem}", $"KeyPath={_node.KeyPem}"),
            LoadTls($"CertificatePath={_node.CombinedPem}"),
            LoadTls($"CertificatePath={_node.Pfx}", $"CertificatePassword={_node.Password}"),
            LoadTls($"CertificatePath={signed.CertificatePem}", $"KeyPath={signed.KeyPem}", $"CaPath={_dir.File("ca.crt")}"),
        };

        Assert.All(loads, load => Assert.Empty(load.Errors));
        var cluster = loads[0].Options!.Cluster;
        Assert.Equal("akka.ssl.tcp://gateway@127.0.0.1:4053", cluster.SelfAddress);
        Assert.Equal((_node.CertificatePem, _node.KeyPem), (cluster.Membership.Tls!.CertificatePath, cluster.Membership.Tls.KeyPath));
        Assert.Equal(_dir.File("ca.crt"), loads[3].Options!.Cluster.Membership.Tls!.CaPath);
    }

    [Fact]
    public void Cluster_tls_should_name_a_missing_file_with_its_key()
    {
        var (_, certificate) = LoadTls($"CertificatePath={_dir.File("nope.pem")}");
        var (_, key) = LoadTls($"CertificatePath={_node.CertificatePem}", $"KeyPath={_dir.File("nope.key")}");
        var (_, ca) = LoadTls($"CertificatePath={_node.CombinedPem}", $"CaPath={_dir.File("nope-ca.crt")}");

        Assert.Equal([$"Gateway:Cluster:Tls:CertificatePath: no such file ({_dir.File("nope.pem")})"], certificate);
        Assert.Equal([$"Gateway:Cluster:Tls:KeyPath: no such file ({_dir.File("nope.key")})"], key);
        Assert.Equal([$"Gateway:Cluster:Tls:CaPath: no such file ({_dir.File("nope-ca.crt")})"], ca);
    }

    [Fact]
    public void Cluster_tls_should_refuse_a_file_that_is_not_a_certificate_with_its_key()
    {
        var other = TestCertificate.WriteFiles(_dir.Path, "other");
        File.WriteAllText(_dir.File("garbage.pem"), "not a certificate\n");
        File.WriteAllText(_dir.File("key-only.pem"), File.ReadAllText(_node.KeyPem));

        var (_, garbage) = LoadTls($"CertificatePath={_dir.File("garbage.pem")}");
        var (_, keyOnly) = LoadTls($"CertificatePath={_dir.File("key-only.pem")}");
        var (_, withoutKey) = LoadTls($"CertificatePath={_node.CertificatePem}");
        var (_, wrongKey) = LoadTls($"CertificatePath={_node.CertificatePem}", $"KeyPath={other.KeyPem}");
        var (_, wrongPassword) = LoadTls($"CertificatePath={_node.Pfx}", "CertificatePassword=wrong");
        var (_, keyForPfx) = LoadTls($"CertificatePath={_node.Pfx}", $"CertificatePassword={_node.Password}", $"KeyPath={_node.KeyPem}");

        Assert.StartsWith("Gateway:Cluster:Tls:CertificatePath: cannot be read as PKCS#12 (.pfx) with Gateway:Cluster:Tls:CertificatePassword: ", Assert.Single(garbage));
        Assert.Equal(["Gateway:Cluster:Tls:CertificatePath: holds no PEM certificate (-----BEGIN CERTIFICATE-----)"], keyOnly);
        Assert.StartsWith("Gateway:Cluster:Tls:CertificatePath: holds no usable private key after the certificate; add it, or set Gateway:Cluster:Tls:KeyPath: ",
            Assert.Single(withoutKey));
        Assert.StartsWith("Gateway:Cluster:Tls:KeyPath: is not the private key of the certificate", Assert.Single(wrongKey));
        Assert.StartsWith("Gateway:Cluster:Tls:CertificatePath: cannot be read as PKCS#12 (.pfx) with Gateway:Cluster:Tls:CertificatePassword: ", Assert.Single(wrongPassword));
        Assert.Equal(["Gateway:Cluster:Tls:KeyPath: is for a PEM certificate; Gateway:Cluster:Tls:CertificatePath is PKCS#12, which holds its own key"], keyForPfx);
    }

    [Fact]
    public void Cluster_tls_should_refuse_an_expired_certificate_and_one_its_CA_did_not_sign()
    {
        var expired = TestCertificate.WriteFiles(_dir.Path, "expired", notAfter: DateTimeOffset.UtcNow.AddHours(-1));
        using var ca = TestCertificate.CreateAuthority(_dir.Path, "ca");

        var (_, expiredErrors) = LoadTls($"CertificatePath={expired.CombinedPem}");
        var (_, unsigned) = LoadTls($"CertificatePath={_node.CombinedPem}", $"CaPath={_dir.File("ca.crt")}");

        Assert.StartsWith("Gateway:Cluster:Tls:CertificatePath: [CN=expired] is not valid now (valid ", Assert.Single(expiredErrors));
        Assert.StartsWith("Gateway:Cluster:Tls:CertificatePath: is not signed by a CA of Gateway:Cluster:Tls:CaPath, so every peer would refuse it: "
            + "its certificate [CN=node] does not chain to the cluster's CA", Assert.Single(unsigned));
    }

    [Fact]
    public void Cluster_tls_should_refuse_keys_that_need_a_certificate_and_tls_without_a_cluster()
    {
        var (_, keyAlone) = Load(Port, TlsSeed.Replace("akka.ssl.tcp", "akka.tcp"), $"{Tls}KeyPath={_node.KeyPem}", $"{Tls}CertificatePassword=x",
            $"{Tls}CaPath={_node.CertificatePem}");
        var (_, noCluster) = Load($"{Tls}CertificatePath={_node.CombinedPem}");

        Assert.Equal(
        [
            "Gateway:Cluster:Tls:KeyPath: needs Gateway:Cluster:Tls:CertificatePath, the certificate of this key",
            "Gateway:Cluster:Tls:CertificatePassword: needs Gateway:Cluster:Tls:CertificatePath, the file it opens",
            "Gateway:Cluster:Tls:CaPath: needs Gateway:Cluster:Tls:CertificatePath, this node's certificate signed by that CA",
        ], keyAlone);
        Assert.Equal(["Gateway:Cluster:Tls:CertificatePath: TLS is for the cluster's remoting port, which a node without Gateway:Cluster:SeedNodes "
            + "does not open; list the seed nodes or remove the Tls keys"], noCluster);
    }

    [Fact]
    public void Cluster_tls_should_want_seed_addresses_in_the_scheme_of_the_transport()
    {
        var (_, plainSeedWithTls) = Load(Pg, PgConnection, "Gateway:Cluster:SeedNodes:0=akka.tcp://gateway@10.0.0.1:4053",
            $"{Tls}CertificatePath={_node.CombinedPem}");
        var (_, tlsSeedWithoutTls) = Load(Pg, PgConnection, "Gateway:Cluster:SeedNodes:0=akka.ssl.tcp://gateway@10.0.0.1:4053");

        Assert.Equal(["Gateway:Cluster:SeedNodes:0: must be akka.ssl.tcp://gateway@host:port: Gateway:Cluster:Tls is set, so remoting speaks TLS "
            + "and its addresses are akka.ssl.tcp://"], plainSeedWithTls);
        Assert.Equal(["Gateway:Cluster:SeedNodes:0: must be akka.tcp://gateway@host:port: akka.ssl.tcp:// is a TLS address, and "
            + "Gateway:Cluster:Tls:CertificatePath is not set"], tlsSeedWithoutTls);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.4.5.6", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("localhost", false)]
    [InlineData("LocalHost", false)]
    [InlineData("10.0.0.5", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("node-1.internal", true)]
    [InlineData("localhost.localdomain", true)]
    public void Cluster_options_should_tell_remoting_beyond_loopback(string hostname, bool beyond)
    {
        Assert.Equal(beyond, ClusterOptions.ListensBeyondLoopback(hostname));
    }

    [Fact]
    public void Cluster_options_should_call_plain_remoting_beyond_loopback_exposed_and_nothing_else()
    {
        ClusterOptions Cluster(string host, bool tls, bool clustered = true) => new()
        {
            Hostname = host,
            SeedNodes = clustered ? [$"akka.tcp://gateway@{host}:4053"] : [],
            Tls = new ClusterTlsOptions { CertificatePath = tls ? _node.CombinedPem : null },
        };

        Assert.True(Cluster("10.0.0.5", tls: false).ExposedWithoutTls);
        Assert.False(Cluster("10.0.0.5", tls: true).ExposedWithoutTls);
        Assert.False(Cluster("127.0.0.1", tls: false).ExposedWithoutTls);
        Assert.False(Cluster("10.0.0.5", tls: false, clustered: false).ExposedWithoutTls);
    }
}
