using Gateway.Shared.Validation;

namespace Gateway.Shared.Tests.Validation;

public class ValidationErrorSpecs
{
    [Fact]
    public void ValidationError_should_print_field_then_message()
    {
        var error = new ValidationError("servers[1].port", "must be 1–65535");

        Assert.Equal("servers[1].port: must be 1–65535", error.ToString());
    }

    [Fact]
    public void ValidationError_should_print_only_the_message_when_it_names_no_field()
    {
        var error = new ValidationError("", "is not a valid JSON document");

        Assert.Equal("is not a valid JSON document", error.ToString());
    }

    [Theory]
    [InlineData("name", "backends[2].name")]
    [InlineData("servers[0].ip", "backends[2].servers[0].ip")]
    [InlineData("", "backends[2]")]
    [InlineData("[3]", "backends[2][3]")]
    public void ValidationError_should_prefix_its_field_when_put_under_a_parent(string field, string expected)
    {
        var error = new ValidationError(field, "is required");

        var nested = error.Under("backends[2]");

        Assert.Equal(new ValidationError(expected, "is required"), nested);
    }
}
