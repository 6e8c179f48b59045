using System.Text;
using Gateway.Node.Admin;

namespace Gateway.Node.Tests.Admin;

/// <summary>Bodies of the admin API read without throwing: the URL's name added where the body leaves it out, unknown fields refused by name.</summary>
public sealed class AdminJsonSpecs
{
    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    [Theory]
    [InlineData("""{"servers":[]}""")]
    [InlineData(""" /* the API's dialect takes comments, even with a { in them */ {"servers":[],}""")]
    public void ReadBackend_should_take_the_name_from_the_url_when_the_body_has_none(string body)
    {
        var (backend, errors) = AdminJson.ReadBackend(Bytes(body), "api");

        Assert.Empty(errors);
        Assert.Equal("api", backend!.Name);
    }

    [Fact]
    public void ReadBackend_should_refuse_a_name_that_differs_from_the_url()
    {
        var (backend, errors) = AdminJson.ReadBackend(Bytes("""{"name":"web","servers":[]}"""), "api");

        Assert.Null(backend);
        Assert.Equal("name: must be 'api', as in the URL", Assert.Single(errors).ToString());
    }

    [Fact]
    public void ReadBackend_should_refuse_unknown_fields_naming_each()
    {
        var (backend, errors) = AdminJson.ReadBackend(Bytes("""{"servers":[{"name":"s1","ip":"10.0.0.1","port":80,"wieght":2}],"protocl":"h2c"}"""), "api");

        Assert.Null(backend);
        Assert.Equal(["servers[0].wieght", "protocl"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ReadBackends_should_require_the_backends_list()
    {
        var (list, errors) = AdminJson.ReadBackends(Bytes("""{"backend":[]}"""));

        Assert.Null(list);
        Assert.Contains(errors, e => e.ToString() == "backends: is required");
    }
}
