using System.Net;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>HTTP/1.1, h2c and TLS+ALPN in front; HTTP/1.1 and h2c behind — through a real HAProxy.</summary>
public sealed class ProtocolSpecs : IAsyncLifetime
{
    private TestBackend _h1 = null!;
    private TestBackend _h2c = null!;
    private HaproxyUnderTest _haproxy = null!;

    public async Task InitializeAsync()
    {
        _h1 = await TestBackend.StartAsync("h1-1");
        _h2c = await TestBackend.StartAsync("h2c-1", http2: true);
        _haproxy = await HaproxyUnderTest.StartAsync(
            [
                new Backend { Name = "web", Servers = [Server(_h1)] },
                new Backend { Name = "grpc", Protocol = ServerProtocol.H2c, Servers = [Server(_h2c)] },
                new Backend { Name = "grpc-raw", Protocol = ServerProtocol.H2c, KeepClientScheme = true, Servers = [Server(_h2c)] },
            ],
            [new Route { Host = "h2c.test", Backend = "grpc" }, new Route { Host = "raw.test", Backend = "grpc-raw" }],
            fe => fe with { DefaultBackend = "web" });
    }

    public async Task DisposeAsync()
    {
        await _haproxy.DisposeAsync();
        await _h1.DisposeAsync();
        await _h2c.DisposeAsync();
    }

    private static BackendServer Server(TestBackend b) => new() { Name = b.Name, IP = b.IP, Port = b.Port };

    [Fact]
    public async Task Plain_port_should_serve_http1_clients()
    {
        using var client = Clients.Http1();
        var (status, body, version) = await client.FetchAsync(_haproxy.PlainUrl + "/hello");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpVersion.Version11, version);
        Assert.Contains("server=h1-1 proto=HTTP/1.1", body);
    }

    [Fact]
    public async Task Plain_port_should_serve_h2c_prior_knowledge_on_the_same_bind()
    {
        using var client = Clients.H2c();
        var (status, body, version) = await client.FetchAsync(_haproxy.PlainUrl + "/hello");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpVersion.Version20, version);
        Assert.Contains("server=h1-1", body);
    }

    [Fact]
    public async Task Tls_port_should_negotiate_h2_by_alpn_and_fall_back_to_http1()
    {
        using var h2 = Clients.Tls(HttpVersion.Version20);
        using var h1 = Clients.Tls(HttpVersion.Version11);
        var viaH2 = await h2.FetchAsync(_haproxy.TlsUrl + "/x");
        var viaH1 = await h1.FetchAsync(_haproxy.TlsUrl + "/x");
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (viaH2.Status, viaH2.Version));
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version11), (viaH1.Status, viaH1.Version));
    }

    [Fact]
    public async Task H2c_backend_should_see_http2_end_to_end_from_an_h2c_client()
    {
        using var client = Clients.H2c();
        var (status, body, version) = await client.FetchAsync(_haproxy.PlainUrl + "/rpc", host: "h2c.test");
        Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (status, version));
        Assert.Contains("server=h2c-1 proto=HTTP/2 scheme=http", body);
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.1")]
    public async Task H2c_backend_should_accept_requests_behind_the_tls_frontend(string clientVersion)
    {
        // HAProxy forwards :scheme https there; a strict h2 server refuses it on cleartext unless
        // the backend rewrites the scheme (the default for h2c backends).
        using var client = Clients.Tls(Version.Parse(clientVersion));
        var (status, body, _) = await client.FetchAsync(_haproxy.TlsUrl + "/rpc", host: "h2c.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("server=h2c-1 proto=HTTP/2 scheme=http host=h2c.test path=/rpc", body);
    }

    [Fact]
    public async Task H2c_backend_keeping_the_client_scheme_should_be_refused_by_a_strict_server_behind_tls()
    {
        // The option exists for servers that accept alternate schemes; a strict one shows why it is off by default.
        using var client = Clients.Tls(HttpVersion.Version11);
        var (status, _, _) = await client.FetchAsync(_haproxy.TlsUrl + "/rpc", host: "raw.test");
        Assert.Equal(HttpStatusCode.BadGateway, status);
    }

    [Fact]
    public async Task Frontend_should_tell_backends_the_client_scheme_in_x_forwarded_proto()
    {
        using var tls = Clients.Tls(HttpVersion.Version20);
        using var plain = Clients.Http1();
        var viaTls = await tls.FetchAsync(_haproxy.TlsUrl + "/");
        var viaPlain = await plain.FetchAsync(_haproxy.PlainUrl + "/");
        Assert.Contains("xfp=https xff=127.0.0.1\n", viaTls.Body);
        Assert.Contains("xfp=http xff=127.0.0.1\n", viaPlain.Body);
    }

    [Fact]
    public async Task Frontend_with_forwarded_headers_off_should_add_neither_header()
    {
        await using var bare = await HaproxyUnderTest.StartAsync([new Backend { Name = "web", Servers = [Server(_h1)] }], [],
            fe => fe with { DefaultBackend = "web", ForwardedHeaders = false });
        using var h1 = Clients.Http1();
        using var h2c = Clients.H2c();
        foreach (var client in new[] { h1, h2c })
        {
            var (status, body, _) = await client.FetchAsync(bare.PlainUrl + "/");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.EndsWith(" xfp= xff=\n", body);
        }
    }
}
