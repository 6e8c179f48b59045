using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Tests.Validation;

/// <summary>
/// Every string of a backend that reaches haproxy.cfg or the runtime API is refused when hostile,
/// with one error naming exactly that field, and accepted when it is an ordinary value.
/// </summary>
public class BackendValidatorHostileInputSpecs
{
    public static TheoryData<string> HostileNames => HostileStrings.Data(HostileStrings.Names);
    public static TheoryData<string> HostileIps => HostileStrings.Data(HostileStrings.Ips);
    public static TheoryData<string> HostileHosts => HostileStrings.Data(HostileStrings.Hosts.Append("*.example.com"));
    public static TheoryData<string> HostilePaths => HostileStrings.Data(HostileStrings.Paths);
    public static TheoryData<string> HostileFilePaths => HostileStrings.Data(HostileStrings.Paths.Append("etc/ca.pem").Append("/etc/ca.pem?x"));

    private static ValidationError SingleError(Backend backend) => Assert.Single(BackendValidator.Validate(backend));

    private static Backend H2(TlsSettings tls) => Samples.Backend() with { Protocol = ServerProtocol.H2, Tls = tls };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void BackendValidator_should_refuse_a_hostile_backend_name(string value)
    {
        var backend = Samples.Backend() with { Name = value };

        var error = SingleError(backend);

        Assert.Equal("name", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void BackendValidator_should_refuse_a_hostile_server_name(string value)
    {
        var backend = Samples.Backend("api", Samples.Server(value), Samples.Server("srv2", "10.0.1.11"));

        var error = SingleError(backend);

        Assert.Equal("servers[0].name", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostileIps))]
    public void BackendValidator_should_refuse_a_hostile_server_ip(string value)
    {
        var backend = Samples.Backend("api", Samples.Server("srv1"), Samples.Server("srv2", value));

        var error = SingleError(backend);

        Assert.Equal("servers[1].ip", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void BackendValidator_should_refuse_a_hostile_health_check_path(string value)
    {
        var backend = Samples.Backend() with { HealthCheck = new HealthCheck { Path = value } };

        var error = SingleError(backend);

        Assert.Equal("healthCheck.path", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostileHosts))]
    public void BackendValidator_should_refuse_a_hostile_tls_sni(string value)
    {
        var backend = H2(new TlsSettings { Sni = value });

        var error = SingleError(backend);

        Assert.Equal("tls.sni", error.Field);
    }

    [Theory]
    [MemberData(nameof(HostileFilePaths))]
    public void BackendValidator_should_refuse_a_hostile_tls_ca_file(string value)
    {
        var backend = H2(new TlsSettings { CaFile = value });

        var error = SingleError(backend);

        Assert.Equal("tls.caFile", error.Field);
    }

    [Theory]
    [InlineData("api-backend")]
    [InlineData("a")]
    [InlineData("srv_1.v2")]
    [InlineData("9lives")]
    public void BackendValidator_should_accept_ordinary_names(string value)
    {
        var backend = Samples.Backend(value, Samples.Server(value));

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("10.0.1.10")]
    [InlineData("127.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("FE80::1")]
    public void BackendValidator_should_accept_ip_literals(string value)
    {
        var backend = Samples.Backend("api", Samples.Server("srv1", value));

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/health?full=1")]
    [InlineData("/api/v1/")]
    [InlineData("/%20x")]
    public void BackendValidator_should_accept_health_check_paths_with_a_query(string value)
    {
        var backend = Samples.Backend() with { HealthCheck = new HealthCheck { Path = value } };

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("api.example.com", "/etc/ssl/certs/ca.pem")]
    [InlineData("API.Example.com", "/etc/ssl/ca-bundle_v2.crt")]
    [InlineData("localhost", "/ca.pem")]
    public void BackendValidator_should_accept_tls_host_names_and_ca_files(string sni, string caFile)
    {
        var backend = H2(new TlsSettings { Sni = sni, CaFile = caFile });

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }
}
