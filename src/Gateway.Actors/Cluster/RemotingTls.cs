using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Gateway.Actors.Cluster;

/// <summary>
/// Where this node's remoting certificate comes from. <paramref name="CertificatePath"/> is either a
/// PEM file (the certificate first; its key in the same file, as HAProxy's <c>crt</c> takes it, or in
/// <paramref name="KeyPath"/>) or a PKCS#12 (.pfx/.p12) file holding both. <paramref name="Password"/>
/// opens the PKCS#12 file or an encrypted PEM key. With <paramref name="CaPath"/> (PEM, one or more
/// certificates) a peer is let in when its certificate chains to one of them; without it, only a peer
/// presenting this node's own certificate is.
/// </summary>
public sealed record RemotingTlsFiles(string CertificatePath, string? KeyPath = null, string? Password = null, string? CaPath = null);

/// <summary>
/// Mutual TLS on the remoting port: every node presents its certificate and checks the other's, in
/// both directions, so a process without the cluster's certificate can neither join nor send to a
/// node. Who counts as a member is decided here, not by the system's trust store: the nodes'
/// certificates are the cluster's own (often self-signed), and a public CA would let in anyone it signed.
/// Host names are not checked: nodes are addressed by IP literals as often as by names, and a
/// certificate shared by every node names none of them; membership is proven by the certificate itself.
/// </summary>
public static class RemotingTls
{
    /// <summary>This node's certificate with its private key; throws (file, format, password or key errors) when it cannot be read.</summary>
    public static X509Certificate2 LoadCertificate(RemotingTlsFiles files)
    {
        var text = File.ReadAllBytes(files.CertificatePath);
        if (!IsPem(text))
            return X509CertificateLoader.LoadPkcs12(text, files.Password);
        var keyPath = files.KeyPath ?? files.CertificatePath;
        using var pem = files.Password is { Length: > 0 } password
            ? X509Certificate2.CreateFromEncryptedPemFile(files.CertificatePath, password, keyPath)
            : X509Certificate2.CreateFromPemFile(files.CertificatePath, keyPath);
        // A PEM key is ephemeral; TLS servers want the key as a PKCS#12 import holds it.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The certificates of the CA file (PEM); throws when it cannot be read or holds none.</summary>
    public static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(path);
        return authorities.Count > 0 ? authorities : throw new CryptographicException("holds no PEM certificate");
    }

    /// <summary>
    /// Null when <paramref name="peer"/> belongs to the cluster at <paramref name="now"/>: with
    /// <paramref name="authorities"/>, a certificate that chains to one of them; without, the very
    /// certificate <paramref name="own"/>. Otherwise why not, completing "its certificate …".
    /// </summary>
    public static string? Refusal(X509Certificate2? peer, X509Certificate2 own, X509Certificate2Collection authorities, DateTime now,
        IEnumerable<X509Certificate2>? intermediates = null)
    {
        if (peer is null)
            return "is missing (none presented)";
        if (now < peer.NotBefore || now > peer.NotAfter)
            return $"[{peer.Subject}] is not valid now (valid {peer.NotBefore:u} to {peer.NotAfter:u})";
        if (authorities.Count == 0)
            return peer.RawDataMemory.Span.SequenceEqual(own.RawDataMemory.Span)
                ? null
                : $"[{peer.Subject}] (SHA-256 {peer.GetCertHashString(HashAlgorithmName.SHA256)}) is not the cluster's certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        foreach (var intermediate in intermediates ?? [])
            chain.ChainPolicy.ExtraStore.Add(intermediate);
        return chain.Build(peer)
            ? null
            : $"[{peer.Subject}] does not chain to the cluster's CA ({string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))})";
    }

    /// <summary>Akka's check of each peer, on both sides of every connection; a refusal is logged, and the handshake fails.</summary>
    public static CertificateValidationCallback Validator(X509Certificate2 own, X509Certificate2Collection authorities) =>
        (peer, chain, remotePeer, _, log) =>
        {
            var intermediates = chain?.ChainElements.Select(e => e.Certificate).Skip(1).ToList();
            var refusal = Refusal(peer, own, authorities, DateTime.Now, intermediates);
            if (refusal is not null)
                log.Warning("Refused the remoting TLS handshake with [{Peer}]: its certificate {Refusal}", remotePeer, refusal);
            return refusal is null;
        };

    private static bool IsPem(byte[] content) =>
        System.Text.Encoding.ASCII.GetString(content, 0, Math.Min(content.Length, 4096)).Contains("-----BEGIN", StringComparison.Ordinal);
}
