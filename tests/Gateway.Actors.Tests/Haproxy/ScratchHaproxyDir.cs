using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Actors.Haproxy;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// A short-lived HAProxy directory under /tmp (short, for the 107-byte socket limit) where a
/// rendered config and its maps are written the way the controller writes them, then checked
/// with the real <c>haproxy -c</c>. Removed on dispose.
/// </summary>
internal sealed class ScratchHaproxyDir : IDisposable
{
    public ScratchHaproxyDir()
    {
        Directory = $"/tmp/gwu-{Guid.NewGuid():N}"[..17];
        Layout = HaproxyLayout.Under(Directory);
        Layout.EnsureCreated();
    }

    public string Directory { get; }

    public HaproxyLayout Layout { get; }

    public string CertDir => Path.Combine(Directory, "certs");

    public string File(string name) => Path.Combine(Directory, name);

    /// <summary>Writes a self-signed certificate and its key as one PEM into <see cref="CertDir"/>, as <c>crt</c> reads it.</summary>
    public string WriteServerPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(key);
        System.IO.Directory.CreateDirectory(CertDir);
        var path = Path.Combine(CertDir, "localhost.pem");
        System.IO.File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return path;
    }

    /// <summary>Writes a certificate alone, usable as a <c>ca-file</c> bundle.</summary>
    public string WriteCaPem(string name = "ca.pem")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(key);
        var path = File(name);
        System.IO.File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>Writes the config and both maps to the layout's paths and runs <c>haproxy -c</c> on them.</summary>
    public async Task<IReadOnlyList<ConfigError>> CheckAsync(RenderedConfig rendered)
    {
        System.IO.File.WriteAllText(Layout.ConfigPath, rendered.Config);
        System.IO.File.WriteAllText(Layout.HostPathMap, rendered.HostPathMap);
        System.IO.File.WriteAllText(Layout.PathMap, rendered.PathMap);
        return await CheckAsync(Layout.ConfigPath);
    }

    public static async Task<IReadOnlyList<ConfigError>> CheckAsync(string configPath)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await ConfigCheck.RunAsync("haproxy", configPath, timeout.Token);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
            System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static X509Certificate2 SelfSigned(ECDsa key)
    {
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
