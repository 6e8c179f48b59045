using System.Text;
using Gateway.Shared.Model;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Tests.Serialization;

/// <summary>Fields the deserializer would drop silently are found by path, at any depth, with a suggestion when a known name is close.</summary>
public class UnknownFieldsSpecs
{
    private static IReadOnlyList<Gateway.Shared.Validation.ValidationError> Find<T>(string json) => UnknownFields.Find<T>(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void UnknownFields_should_name_every_unknown_field_by_its_path()
    {
        var found = Find<BackendList>("""
            {"backends":[
              {"name":"a","servers":[]},
              {"name":"b","protocl":"h2c","healthCheck":{"pth":"/x"},"tls":{"snii":"x"},"servers":[{"name":"s","ip":"10.0.0.1","port":1,"wieght":2}]}
            ],"extra":1}
            """);

        Assert.Equal(["backends[1].protocl", "backends[1].healthCheck.pth", "backends[1].tls.snii", "backends[1].servers[0].wieght", "extra"],
            found.Select(e => e.Field));
        Assert.Equal("is not a known field (did you mean 'protocol'?)", found[0].Message);
    }

    [Fact]
    public void UnknownFields_should_match_names_as_the_deserializer_does_and_list_the_known_ones_when_none_is_close()
    {
        Assert.Empty(Find<Backend>("""{"NAME":"a","Servers":[],"KeepClientScheme":true}"""));
        Assert.StartsWith("is not a known field (known: name, servers,", Assert.Single(Find<Backend>("""{"name":"a","zzzzzzzz":1}""")).Message);
    }

    [Fact]
    public void TryRead_should_read_a_document_and_tell_unknown_fields_from_a_malformed_document()
    {
        static bool Read(string json, out Backend? backend, out IReadOnlyList<Gateway.Shared.Validation.ValidationError> unknown) =>
            UnknownFields.TryRead(Encoding.UTF8.GetBytes(json), out backend, out _, out unknown);

        Assert.True(Read("""{"name":"a","servers":[]}""", out var clean, out var none));
        Assert.True(Read("""{"name":"a","servers":[],"protocl":"h2c"}""", out var typo, out var found));
        Assert.False(Read("""{"name":"a","servers":[],}x""", out _, out _));

        Assert.Equal(("a", 0), (clean!.Name, none.Count));
        Assert.Equal("a", typo!.Name);
        Assert.Equal("protocl", Assert.Single(found).Field);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"name":"a",""")]
    public void UnknownFields_should_leave_a_malformed_document_to_the_deserializer(string json) => Assert.Empty(Find<Backend>(json));
}
