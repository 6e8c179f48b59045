using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Actors.Cluster;

namespace Gateway.Node.Configuration;

/// <summary>
/// Checks <c>Gateway:Cluster:Tls</c> before anything starts, by reading the files as remoting will:
/// a certificate that cannot be used would otherwise surface as an actor system that does not start,
/// or as handshakes every peer refuses.
/// </summary>
internal static class ClusterTlsCheck
{
    private const string Key = "Cluster:Tls";
    private const string CertificateKey = "Gateway:Cluster:Tls:CertificatePath";

    public static void Validate(ClusterOptions cluster, Action<string, string?> add)
    {
        var tls = cluster.Tls;
        if (tls.Files() is not { } files)
        {
            // Each of these only means something with a certificate: without one they would be ignored, and TLS silently off.
            add($"{Key}:KeyPath", Set(tls.KeyPath) ? $"needs {CertificateKey}, the certificate of this key" : null);
            add($"{Key}:CertificatePassword", Set(tls.CertificatePassword) ? $"needs {CertificateKey}, the file it opens" : null);
            add($"{Key}:CaPath", Set(tls.CaPath) ? $"needs {CertificateKey}, this node's certificate signed by that CA" : null);
            return;
        }
        // An error, not a warning: a node of one opens no remoting port, so the keys would protect nothing
        // while reading as if they did (a forgotten SeedNodes key, most likely).
        add($"{Key}:CertificatePath", cluster.Enabled ? null
            : "TLS is for the cluster's remoting port, which a node without Gateway:Cluster:SeedNodes does not open; list the seed nodes or remove the Tls keys");

        var missing = false;
        foreach (var (name, path) in new[] { ("CertificatePath", files.CertificatePath), ("KeyPath", files.KeyPath), ("CaPath", files.CaPath) })
            if (path is not null && !File.Exists(path))
            {
                add($"{Key}:{name}", $"no such file ({Path.GetFullPath(path)})");
                missing = true;
            }
        if (missing)
            return;

        using var certificate = Load(files, add);
        if (certificate is null)
            return;
        var now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            add($"{Key}:CertificatePath", $"[{certificate.Subject}] is not valid now (valid {certificate.NotBefore:u} to {certificate.NotAfter:u})");
            return;
        }
        if (files.CaPath is null)
            return;
        X509Certificate2Collection authorities;
        try
        {
            authorities = RemotingTls.LoadAuthorities(files.CaPath);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            add($"{Key}:CaPath", $"cannot be read as PEM CA certificates: {e.Message}");
            return;
        }
        if (RemotingTls.Refusal(certificate, certificate, authorities, now) is { } refusal)
            add($"{Key}:CertificatePath", $"is not signed by a CA of Gateway:Cluster:Tls:CaPath, so every peer would refuse it: its certificate {refusal}");
        foreach (var authority in authorities)
            authority.Dispose();
    }

    /// <summary>The certificate with its key, or null with the error told to the key at fault.</summary>
    private static X509Certificate2? Load(RemotingTlsFiles files, Action<string, string?> add)
    {
        var pem = File.ReadAllText(files.CertificatePath).Contains("-----BEGIN", StringComparison.Ordinal);
        if (pem)
        {
            var certificates = new X509Certificate2Collection();
            try
            {
                certificates.ImportFromPemFile(files.CertificatePath);
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                add($"{Key}:CertificatePath", $"cannot be read as a PEM certificate: {e.Message}");
                return null;
            }
            var found = certificates.Count;
            foreach (var c in certificates)
                c.Dispose();
            if (found == 0)
            {
                add($"{Key}:CertificatePath", "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
                return null;
            }
        }
        else if (files.KeyPath is not null)
        {
            add($"{Key}:KeyPath", "is for a PEM certificate; Gateway:Cluster:Tls:CertificatePath is PKCS#12, which holds its own key");
            return null;
        }
        try
        {
            var certificate = RemotingTls.LoadCertificate(files);
            if (certificate.HasPrivateKey)
                return certificate;
            certificate.Dispose();
            add($"{Key}:CertificatePath", "holds no private key");
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            if (!pem)
                add($"{Key}:CertificatePath", $"cannot be read as PKCS#12 (.pfx) with Gateway:Cluster:Tls:CertificatePassword: {e.Message}");
            else if (files.KeyPath is not null)
                add($"{Key}:KeyPath", $"is not the private key of the certificate (PEM, PKCS#8 or RSA/EC; encrypted needs CertificatePassword): {e.Message}");
            else
                add($"{Key}:CertificatePath", $"holds no usable private key after the certificate; add it, or set Gateway:Cluster:Tls:KeyPath: {e.Message}");
        }
        return null;
    }

    private static bool Set(string? value) => !string.IsNullOrEmpty(value);

    private static bool IsUnreadable(Exception e) => e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException;
}
