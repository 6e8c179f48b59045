using System.Net;
using System.Net.Security;

namespace Gateway.Testing;

/// <summary>HttpClients for the three ways in: HTTP/1.1, h2c prior knowledge, TLS with ALPN (self-signed accepted).</summary>
public static class Clients
{
    public static HttpClient Http1(bool keepAlive = true) =>
        Create(HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact, keepAlive);

    /// <summary>HTTP/2 with prior knowledge over cleartext (h2c): the client sends the preface at once.</summary>
    public static HttpClient H2c() => Create(HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact);

    /// <summary>TLS, offering h2 and http/1.1 by ALPN when <paramref name="version"/> is 2.0; only http/1.1 when 1.1.</summary>
    public static HttpClient Tls(Version version) => Create(version, HttpVersionPolicy.RequestVersionExact);

    private static HttpClient Create(Version version, HttpVersionPolicy policy, bool keepAlive = true)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            PooledConnectionIdleTimeout = keepAlive ? TimeSpan.FromMinutes(1) : TimeSpan.Zero,
            UseProxy = false,
        };
        return new HttpClient(handler)
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = policy,
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>GET with a Host header of choice; returns status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body, Version Version)> FetchAsync(this HttpClient client, string url, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = client.DefaultRequestVersion,
            VersionPolicy = client.DefaultVersionPolicy,
        };
        if (host is not null)
            request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Version);
    }
}
