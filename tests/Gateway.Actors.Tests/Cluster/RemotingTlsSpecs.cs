using System.Security.Cryptography.X509Certificates;
using Gateway.Actors.Cluster;
using Gateway.Testing;

namespace Gateway.Actors.Tests.Cluster;

/// <summary>Who remoting lets in: the cluster's own certificate, or one its CA signed; nobody else, and nobody without one.</summary>
public sealed class RemotingTlsSpecs : IDisposable
{
    private readonly TempDir _dir = new("gwtls");

    public void Dispose() => _dir.Dispose();

    private X509Certificate2 Load(CertificateFiles files) => RemotingTls.LoadCertificate(new RemotingTlsFiles(files.CombinedPem));

    [Fact]
    public void RemotingTls_should_let_in_only_a_peer_with_this_nodes_certificate_when_no_CA_is_set()
    {
        using var own = Load(TestCertificate.WriteFiles(_dir.Path, "cluster"));
        using var copy = RemotingTls.LoadCertificate(new RemotingTlsFiles(_dir.File("cluster.crt"), _dir.File("cluster.key")));
        using var stranger = Load(TestCertificate.WriteFiles(_dir.Path, "stranger"));

        Assert.Null(RemotingTls.Refusal(copy, own, [], DateTime.Now));
        Assert.StartsWith("[CN=stranger] (SHA-256 ", RemotingTls.Refusal(stranger, own, [], DateTime.Now));
        Assert.EndsWith("is not the cluster's certificate", RemotingTls.Refusal(stranger, own, [], DateTime.Now));
        Assert.Equal("is missing (none presented)", RemotingTls.Refusal(null, own, [], DateTime.Now));
    }

    [Fact]
    public void RemotingTls_should_let_in_a_peer_signed_by_the_clusters_CA_and_refuse_one_signed_by_another()
    {
        using var ca = TestCertificate.CreateAuthority(_dir.Path, "cluster-ca");
        using var otherCa = TestCertificate.CreateAuthority(_dir.Path, "other-ca");
        using var node1 = Load(TestCertificate.WriteFiles(_dir.Path, "node1", ca));
        using var node2 = Load(TestCertificate.WriteFiles(_dir.Path, "node2", ca));
        using var outsider = Load(TestCertificate.WriteFiles(_dir.Path, "outsider", otherCa));
        using var selfSigned = Load(TestCertificate.WriteFiles(_dir.Path, "self"));
        var authorities = RemotingTls.LoadAuthorities(_dir.File("cluster-ca.crt"));

        Assert.Null(RemotingTls.Refusal(node2, node1, authorities, DateTime.Now));
        Assert.Contains("[CN=outsider] does not chain to the cluster's CA", RemotingTls.Refusal(outsider, node1, authorities, DateTime.Now));
        Assert.Contains("[CN=self] does not chain to the cluster's CA", RemotingTls.Refusal(selfSigned, node1, authorities, DateTime.Now));
    }

    [Fact]
    public void RemotingTls_should_refuse_the_clusters_own_certificate_once_it_expired()
    {
        using var own = Load(TestCertificate.WriteFiles(_dir.Path, "cluster", notAfter: DateTimeOffset.UtcNow.AddDays(1)));

        var refusal = RemotingTls.Refusal(own, own, [], DateTime.Now.AddDays(2));

        Assert.StartsWith("[CN=cluster] is not valid now (valid ", refusal);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("crt+key")]
    [InlineData("pfx")]
    public void RemotingTls_should_read_a_certificate_with_its_key_from_PEM_or_PKCS12(string form)
    {
        var files = TestCertificate.WriteFiles(_dir.Path, "node");
        var source = form switch
        {
            "pem" => new RemotingTlsFiles(files.CombinedPem),
            "crt+key" => new RemotingTlsFiles(files.CertificatePem, files.KeyPem),
            _ => new RemotingTlsFiles(files.Pfx, Password: files.Password),
        };

        using var certificate = RemotingTls.LoadCertificate(source);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(files.Thumbprint, certificate.Thumbprint);
    }
}
