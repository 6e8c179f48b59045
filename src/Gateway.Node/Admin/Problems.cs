using Gateway.Shared.Validation;

namespace Gateway.Node.Admin;

/// <summary>RFC 7807 answers for the admin API: bad input names each field.</summary>
public static class Problems
{
    public static IResult Invalid(string title, IEnumerable<ValidationError> errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field.Length == 0 ? "body" : e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: title);

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Unavailable(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not available");
}
