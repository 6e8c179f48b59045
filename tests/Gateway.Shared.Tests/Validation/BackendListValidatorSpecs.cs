using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Tests.Validation;

/// <summary>A whole REST document: each backend checked under its index, null entries and repeated names refused.</summary>
public class BackendListValidatorSpecs
{
    private static IReadOnlyList<ValidationError> ErrorsOf(string json)
    {
        Assert.True(GatewayJson.TryDeserialize<BackendList>(json, out var list, out var error), error?.ToString());
        return BackendValidator.Validate(list!);
    }

    [Fact]
    public void BackendListValidator_should_name_a_null_backend()
    {
        var errors = ErrorsOf("""{"backends":[{"name":"a"},null]}""");

        Assert.Equal([new ValidationError("backends[1]", "must be an object")], errors);
    }

    [Fact]
    public void BackendListValidator_should_name_the_second_backend_when_names_repeat()
    {
        var errors = ErrorsOf("""{"backends":[{"name":"a"},{"name":"a"}]}""");

        Assert.Equal([new ValidationError("backends[1].name", "duplicates the backend name 'a'")], errors);
    }

    [Fact]
    public void BackendListValidator_should_prefix_a_backend_error_with_its_index()
    {
        var errors = ErrorsOf("""{"backends":[{"name":"a"},{"name":"b","servers":[{"name":"s","ip":"10.0.0.1","port":0}]}]}""");

        Assert.Equal([new ValidationError("backends[1].servers[0].port", "must be 1–65535")], errors);
    }
}
