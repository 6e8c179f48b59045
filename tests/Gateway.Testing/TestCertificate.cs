using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Testing;

/// <summary>A certificate written every way a node may be given one: PEM certificate and key apart, both in one PEM, PKCS#12 with a password.</summary>
public sealed record CertificateFiles(string CertificatePem, string KeyPem, string CombinedPem, string Pfx, string Password, string Thumbprint);

/// <summary>Test certificates, written as the PEM (certificate + key) HAProxy's <c>crt</c> reads, and for cluster TLS.</summary>
public static class TestCertificate
{
    public const string Password = "test-password";

    /// <summary>
    /// A certificate for localhost written as <c>name.crt</c>, <c>name.key</c>, <c>name.pem</c> (both) and
    /// <c>name.pfx</c>: self-signed, or signed by <paramref name="issuer"/> (a certificate with its key, see <see cref="CreateAuthority"/>).
    /// </summary>
    public static CertificateFiles WriteFiles(string directory, string name, X509Certificate2? issuer = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var from = DateTimeOffset.UtcNow.AddDays(-1);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        using var certificate = issuer is null
            ? request.CreateSelfSigned(from, until)
            : request.Create(issuer, from, until, RandomNumberGenerator.GetBytes(8)).CopyWithPrivateKey(key);
        Directory.CreateDirectory(directory);
        string Path(string extension) => System.IO.Path.Combine(directory, name + extension);
        File.WriteAllText(Path(".crt"), certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path(".key"), key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(Path(".pem"), certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllBytes(Path(".pfx"), certificate.Export(X509ContentType.Pkcs12, Password));
        return new CertificateFiles(Path(".crt"), Path(".key"), Path(".pem"), Path(".pfx"), Password, certificate.Thumbprint);
    }

    /// <summary>A CA certificate with its key (to sign with <see cref="WriteFiles"/>), its certificate written to <c>name.crt</c>.</summary>
    public static X509Certificate2 CreateAuthority(string directory, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
        Directory.CreateDirectory(directory);
        File.WriteAllText(System.IO.Path.Combine(directory, name + ".crt"), authority.ExportCertificatePem() + "\n");
        return authority;
    }

    public static string WritePem(string directory, string name = "localhost.pem")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return path;
    }
}
