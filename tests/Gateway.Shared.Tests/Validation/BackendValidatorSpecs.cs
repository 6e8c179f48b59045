using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Tests.Validation;

/// <summary>Numbers, limits and combinations a backend must respect; each error names its field.</summary>
public class BackendValidatorSpecs
{
    private static string SingleError(Backend backend) => Assert.Single(BackendValidator.Validate(backend)).ToString();

    [Fact]
    public void BackendValidator_should_accept_the_fully_configured_sample()
    {
        var backend = Samples.FullyConfigured();

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BackendValidator_should_refuse_a_port_out_of_range(int port)
    {
        var backend = Samples.Backend("api", Samples.Server("srv1"), Samples.Server("srv2", "10.0.1.11", port));

        var error = SingleError(backend);

        Assert.Equal("servers[1].port: must be 1–65535", error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65535)]
    public void BackendValidator_should_accept_a_port_at_the_edges(int port)
    {
        var backend = Samples.Backend("api", Samples.Server("srv1", port: port));

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(257)]
    [InlineData(-1)]
    public void BackendValidator_should_refuse_a_weight_out_of_range(int weight)
    {
        var backend = Samples.Backend("api", Samples.Server("srv1") with { Weight = weight });

        var error = SingleError(backend);

        Assert.Equal("servers[0].weight: must be 0–256", error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    public void BackendValidator_should_accept_a_weight_at_the_edges(int weight)
    {
        var backend = Samples.Backend("api", Samples.Server("srv1") with { Weight = weight });

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Fact]
    public void BackendValidator_should_name_the_second_server_when_names_repeat()
    {
        var backend = Samples.Backend("api", Samples.Server("srv1"), Samples.Server("srv2", "10.0.1.11"), Samples.Server("srv1", "10.0.1.12"));

        var error = SingleError(backend);

        Assert.Equal("servers[2].name: duplicates the server name 'srv1'", error);
    }

    [Fact]
    public void BackendValidator_should_treat_server_names_differing_in_case_as_distinct()
    {
        var backend = Samples.Backend("api", Samples.Server("srv1"), Samples.Server("SRV1", "10.0.1.11"));

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(ServerProtocol.Http1)]
    [InlineData(ServerProtocol.H2c)]
    public void BackendValidator_should_refuse_tls_when_the_protocol_is_cleartext(ServerProtocol protocol)
    {
        var backend = Samples.Backend() with { Protocol = protocol, Tls = new TlsSettings() };

        var error = SingleError(backend);

        Assert.Equal("tls: applies only to protocol h2", error);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(99)]
    [InlineData(0)]
    [InlineData(3_600_001)]
    [InlineData(7_200_000)]
    public void BackendValidator_should_refuse_a_health_check_interval_out_of_range(long milliseconds)
    {
        var backend = Samples.Backend() with { HealthCheck = new HealthCheck { Interval = TimeSpan.FromMilliseconds(milliseconds) } };

        var error = SingleError(backend);

        Assert.Equal("healthCheck.interval: must be between 100ms and 1h", error);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(3_600_000)]
    public void BackendValidator_should_accept_a_health_check_interval_at_the_edges(long milliseconds)
    {
        var backend = Samples.Backend() with { HealthCheck = new HealthCheck { Interval = TimeSpan.FromMilliseconds(milliseconds) } };

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Fact]
    public void BackendValidator_should_refuse_more_than_the_maximum_number_of_servers()
    {
        var servers = Enumerable.Range(0, Rules.MaxServers + 1).Select(i => Samples.Server($"srv{i}", "10.0.0.1", 1000 + i)).ToArray();

        var error = SingleError(Samples.Backend("api", servers));

        Assert.Equal($"servers: must hold at most {Rules.MaxServers} servers", error);
    }

    [Fact]
    public void BackendValidator_should_accept_the_maximum_number_of_servers()
    {
        var servers = Enumerable.Range(0, Rules.MaxServers).Select(i => Samples.Server($"srv{i}", "10.0.0.1", 1000 + i)).ToArray();

        var errors = BackendValidator.Validate(Samples.Backend("api", servers));

        Assert.Empty(errors);
    }

    [Fact]
    public void BackendValidator_should_accept_a_backend_without_servers()
    {
        var backend = new Backend { Name = "empty" };

        var errors = BackendValidator.Validate(backend);

        Assert.Empty(errors);
    }

    [Fact]
    public void BackendValidator_should_name_a_null_server()
    {
        var backend = Samples.Backend() with { Servers = [Samples.Server(), null!] };

        var error = SingleError(backend);

        Assert.Equal("servers[1]: must be an object", error);
    }

    [Fact]
    public void BackendValidator_should_refuse_undefined_enum_values()
    {
        var backend = Samples.Backend("api", Samples.Server() with { State = (ServerAdminState)7 })
            with { Balance = (BalanceAlgorithm)9, Protocol = (ServerProtocol)3, HttpReuse = (HttpReuse)4 };

        var errors = BackendValidator.Validate(backend).Select(e => e.Field);

        Assert.Equal(["balance", "protocol", "httpReuse", "servers[0].state"], errors);
    }

    [Fact]
    public void BackendValidator_should_report_every_error_not_just_the_first()
    {
        var backend = new Backend
        {
            Name = "bad name",
            Servers = [new BackendServer { Name = "s;1", IP = "localhost", Port = 0, Weight = 300 }],
            HealthCheck = new HealthCheck { Path = "health", Interval = TimeSpan.Zero },
        };

        var fields = BackendValidator.Validate(backend).Select(e => e.Field);

        Assert.Equal(["name", "servers[0].name", "servers[0].ip", "servers[0].port", "servers[0].weight", "healthCheck.path", "healthCheck.interval"], fields);
    }
}
