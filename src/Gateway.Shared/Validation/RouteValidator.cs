using Gateway.Shared.Model;

namespace Gateway.Shared.Validation;

/// <summary>Checks a <see cref="Route"/>: an optional host (exact or <c>*.</c> wildcard), an optional path prefix, a backend name.</summary>
public static class RouteValidator
{
    public static IReadOnlyList<ValidationError> Validate(Route route)
    {
        var errors = new List<ValidationError>();
        if (route.Host is null)
            errors.Add(new("host", "must be a string (\"\" for any host)"));
        else if (route.Host.Length > 0)
            BackendValidator.Add(errors, "host", Rules.Hostname(route.Host, allowWildcard: true));
        if (route.Path is null)
            errors.Add(new("path", "must be a string (\"\" for any path)"));
        else if (route.Path.Length > 0)
            BackendValidator.Add(errors, "path", Rules.Path(route.Path));
        BackendValidator.Add(errors, "backend", Rules.Name(route.Backend));
        return errors;
    }
}
