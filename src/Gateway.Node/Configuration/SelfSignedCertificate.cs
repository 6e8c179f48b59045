using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Node.Configuration;

/// <summary>For a first run without certificates: a self-signed one for localhost, as the PEM (certificate + key) HAProxy reads.</summary>
public static class SelfSignedCertificate
{
    /// <summary>Writes <c>localhost.pem</c> into <paramref name="directory"/> unless it already holds a .pem file; returns true if it wrote one.</summary>
    public static bool EnsureIn(string directory)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.pem").Any())
            return false;
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(directory, "localhost.pem");
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(file);
        writer.Write(certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return true;
    }
}
