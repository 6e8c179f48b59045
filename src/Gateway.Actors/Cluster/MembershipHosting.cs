using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace Gateway.Actors.Cluster;

/// <summary>Where this node listens for other nodes, whom it joins, and as what.</summary>
/// <param name="Hostname">The address other nodes reach it at; remoting binds to it.</param>
/// <param name="SeedNodes"><c>akka.tcp://gateway@host:port</c> (<c>akka.ssl.tcp://</c> with TLS) of the nodes to join (the first seed lists itself).</param>
/// <param name="Tls">Mutual TLS on the remoting port (<see cref="RemotingTls"/>); null: plain TCP, open to whoever reaches the port.</param>
public sealed record MembershipSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes, IReadOnlyList<string> Roles,
    RemotingTlsFiles? Tls = null)
{
    /// <summary>The address scheme: Akka names a TLS transport's addresses <c>akka.ssl.tcp</c>, and a node only talks to addresses of its own scheme.</summary>
    public string Scheme => SchemeOf(Tls is not null);

    public static string SchemeOf(bool tls) => tls ? "akka.ssl.tcp" : "akka.tcp";
}

/// <summary>
/// Akka.Hosting registration of the cluster: remoting (plain TCP, or mutual TLS when
/// <see cref="MembershipSettings.Tls"/> is set), membership with the split brain resolver
/// keeping the majority (a node on the minority side is downed and stops, its HAProxy serving on),
/// and the publish-subscribe mediator of the change feed.
/// </summary>
public static class MembershipHosting
{
    public static AkkaConfigurationBuilder AddMembership(this AkkaConfigurationBuilder builder, MembershipSettings settings) =>
        builder
            .WithRemoting(Remoting(settings))
            .WithClustering(new ClusterOptions
            {
                SeedNodes = [.. settings.SeedNodes],
                Roles = [.. settings.Roles],
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithDistributedPubSub(role: ""); // every node, whatever its roles

    /// <summary>
    /// With TLS, the certificate is read here, when the actor system is built (the options were
    /// checked at start, so a file that vanished since stops the node with the reason); mutual
    /// authentication is required and each peer is checked by <see cref="RemotingTls.Validator"/>.
    /// </summary>
    private static RemoteOptions Remoting(MembershipSettings settings)
    {
        var remote = new RemoteOptions { HostName = settings.Hostname, Port = settings.Port };
        if (settings.Tls is not { } tls)
            return remote;
        var certificate = RemotingTls.LoadCertificate(tls);
        var authorities = tls.CaPath is null ? [] : RemotingTls.LoadAuthorities(tls.CaPath);
        remote.EnableSsl = true;
        remote.Ssl = new SslOptions
        {
            X509Certificate = certificate,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            SuppressValidation = false,
            CustomValidator = RemotingTls.Validator(certificate, authorities),
        };
        return remote;
    }
}
