using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Tests.Serialization;

/// <summary>A bad document is an error naming the field as a JSON path, never an exception.</summary>
public class GatewayJsonErrorSpecs
{
    private const string DurationMessage = "must be a duration such as \"500ms\", \"2s\" or \"1m\"";

    private static ValidationError ErrorOf(string json)
    {
        var ok = GatewayJson.TryDeserialize<BackendList>(json, out var value, out var error);
        Assert.False(ok);
        Assert.Null(value);
        return Assert.IsType<ValidationError>(error);
    }

    [Fact]
    public void GatewayJson_should_name_the_field_when_a_port_is_not_a_number()
    {
        const string json = """
            {"backends":[{"name":"api","servers":[
              {"name":"srv1","ip":"10.0.1.10","port":8080},
              {"name":"srv2","ip":"10.0.1.11","port":"abc"}]}]}
            """;

        var error = ErrorOf(json);

        Assert.Equal(new ValidationError("backends[0].servers[1].port", "has the wrong type or format"), error);
    }

    [Theory]
    [InlineData("""{"backends":[{"servers":[]}]}""", "backends[0].name")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"ip":"10.0.0.1","port":1}]}]}""", "backends[0].servers[0].name")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","port":1}]}]}""", "backends[0].servers[0].ip")]
    [InlineData("""{"backends":[{"name":"a"},{"name":"b","servers":[{"name":"s","ip":"10.0.0.1"}]}]}""", "backends[1].servers[0].port")]
    public void GatewayJson_should_name_a_missing_required_field(string json, string field)
    {
        var error = ErrorOf(json);

        Assert.Equal(new ValidationError(field, "is required"), error);
    }

    [Theory]
    [InlineData("""{"backends":[{"name":"a","balance":"static-rr"}]}""", "backends[0].balance", "must be one of roundrobin, leastconn, first, random, source")]
    [InlineData("""{"backends":[{"name":"a","balance":1}]}""", "backends[0].balance", "must be one of roundrobin, leastconn, first, random, source")]
    [InlineData("""{"backends":[{"name":"a","balance":"1"}]}""", "backends[0].balance", "must be one of roundrobin, leastconn, first, random, source")]
    [InlineData("""{"backends":[{"name":"a","protocol":"http2"}]}""", "backends[0].protocol", "must be one of http1, h2c, h2")]
    [InlineData("""{"backends":[{"name":"a","httpReuse":"sometimes"}]}""", "backends[0].httpReuse", "must be one of never, safe, aggressive, always")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":1,"state":"up"}]}]}""", "backends[0].servers[0].state", "must be one of ready, drain, maint")]
    public void GatewayJson_should_list_the_accepted_names_when_an_enum_value_is_wrong(string json, string field, string message)
    {
        var error = ErrorOf(json);

        Assert.Equal(new ValidationError(field, message), error);
    }

    [Fact]
    public void GatewayJson_should_read_enum_names_without_regard_to_case()
    {
        var ok = GatewayJson.TryDeserialize<Backend>("""{"name":"a","balance":"RoundRobin","protocol":"H2C"}""", out var backend, out _);

        Assert.True(ok);
        Assert.Equal((BalanceAlgorithm.RoundRobin, ServerProtocol.H2c), (backend!.Balance, backend.Protocol));
    }

    [Fact]
    public void GatewayJson_should_refuse_a_field_given_twice()
    {
        var ok = GatewayJson.TryDeserialize<Backend>("""{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":1,"port":2}]}""", out _, out var error);

        Assert.False(ok);
        Assert.StartsWith("servers[0]", error!.Field);
    }

    [Theory]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":1.5}]}]}""", "backends[0].servers[0].port")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":"8080"}]}]}""", "backends[0].servers[0].port")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":99999999999}]}]}""", "backends[0].servers[0].port")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":1,"weight":"x"}]}]}""", "backends[0].servers[0].weight")]
    [InlineData("""{"backends":[{"name":"a","tls":{"verify":"no"}}]}""", "backends[0].tls.verify")]
    [InlineData("""{"backends":[{"name":5}]}""", "backends[0].name")]
    [InlineData("""{"backends":[{"name":null}]}""", "backends[0].name")]
    [InlineData("""{"backends":[{"name":"a","servers":null}]}""", "backends[0].servers")]
    [InlineData("""{"backends":{}}""", "backends")]
    public void GatewayJson_should_name_a_field_of_the_wrong_type(string json, string field)
    {
        var error = ErrorOf(json);

        Assert.Equal(new ValidationError(field, "has the wrong type or format"), error);
    }

    [Theory]
    [InlineData("\"2x\"")]
    [InlineData("\"1.5s\"")]
    [InlineData("-5")]
    [InlineData("2000.5")]
    [InlineData("null")]
    [InlineData("\"9223372036854775807\"")]
    [InlineData("9223372036854775807")]
    [InlineData("31536000001")]
    public void GatewayJson_should_name_the_interval_with_the_duration_message_when_it_is_not_a_duration(string interval)
    {
        var json = $$$"""{"backends":[{"name":"a"},{"name":"b","healthCheck":{"interval":{{{interval}}}}}]}""";

        var error = ErrorOf(json);

        Assert.Equal(new ValidationError("backends[1].healthCheck.interval", DurationMessage), error);
    }

    [Fact]
    public void GatewayJson_should_report_a_null_document_as_an_error()
    {
        var error = ErrorOf("null");

        Assert.Equal(new ValidationError("", "must be a JSON object, not null"), error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"backends\"")]
    [InlineData("""{"backends":[]} trailing""")]
    public void GatewayJson_should_report_a_malformed_document_as_an_error(string json)
    {
        var error = ErrorOf(json);

        Assert.Equal(new ValidationError("", "is not a valid JSON document"), error);
    }

    [Theory]
    [InlineData("""{"backends":[{"name":"a" "servers":[]}]}""")]
    [InlineData("""{"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":1}]""")]
    public void GatewayJson_should_report_broken_syntax_as_invalid_json_where_it_stopped(string json)
    {
        var error = ErrorOf(json);

        Assert.Equal(new ValidationError("backends[0]", "is not valid JSON"), error);
    }

    [Fact]
    public void GatewayJson_should_report_invalid_utf8_as_an_error()
    {
        byte[] json = [.. "{\"backends\":[{\"name\":\""u8, 0xFF, .. "\"}]}"u8];

        var ok = GatewayJson.TryDeserialize<BackendList>(json, out _, out var error);

        Assert.False(ok);
        Assert.Equal("backends[0].name", error?.Field);
    }

    [Fact]
    public void GatewayJson_should_accept_comments_and_trailing_commas()
    {
        const string json = """
            // the seed's document, hand-edited
            {"backends":[{"name":"a","servers":[{"name":"s","ip":"10.0.0.1","port":1,},],},],}
            """;

        var ok = GatewayJson.TryDeserialize<BackendList>(json, out var list, out var error);

        Assert.True(ok, error?.ToString());
        Assert.Equal("s", list!.Backends[0].Servers[0].Name);
    }
}
