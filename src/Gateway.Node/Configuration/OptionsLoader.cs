using Microsoft.Extensions.Configuration;

namespace Gateway.Node.Configuration;

/// <summary>
/// Reads <c>Gateway:</c> into <see cref="GatewayOptions"/> and reports everything wrong with it at
/// once, one line per key and never by throwing: values that do not convert and keys the binder would
/// ignore (<see cref="ConfigurationKeys"/>), then <see cref="OptionsValidator"/>'s checks of what
/// binds. Keys outside <c>Gateway:</c> belong to others (ASP.NET, Serilog) and are left alone.
/// </summary>
public static class OptionsLoader
{
    /// <summary>The options when nothing is wrong; otherwise null and one line per problem, <c>key: what it takes</c>.</summary>
    public static (GatewayOptions? Options, IReadOnlyList<string> Errors) Load(IConfiguration configuration)
    {
        // The walk converts values with the binder's converters, durations included.
        DurationTypeConverter.Register();
        var section = configuration.GetSection(GatewayOptions.Section);
        var keyErrors = ConfigurationKeys.Check(section, typeof(GatewayOptions));
        var errors = keyErrors.Select(e => e.ToString()).ToList();
        var options = Bind(section, keyErrors, errors);
        if (options is not null)
        {
            NodeSetup.ApplyDefaults(options);
            errors.AddRange(OptionsValidator.Validate(options).Where(error => !Explained(error, keyErrors, configuration)));
        }
        return (errors.Count == 0 ? options : null, errors);
    }

    /// <summary>Binds the values left once the keys the binder cannot take are taken out, so it meets nothing it throws on.</summary>
    private static GatewayOptions? Bind(IConfigurationSection section, IReadOnlyList<KeyError> keyErrors, List<string> errors)
    {
        var left = keyErrors.Where(e => e.Problem != KeyProblem.Ignored).ToList();
        // Sections without a value are left out: as explicit keys they would bind null over a default.
        var clean = section.AsEnumerable().Where(pair => pair.Value is not null && !left.Any(e => IsAtOrBelow(pair.Key, e.Key)));
        try
        {
            return new ConfigurationBuilder().AddInMemoryCollection(clean).Build()
                .GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        }
        catch (InvalidOperationException e)
        {
            // Only if the walk missed a shape the binder refuses: still a line, not a stack trace.
            errors.Add($"{section.Path}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// A check already answered by a key error: one about a key reported already, or about a key
    /// nobody set next to a value that did not convert (that object was bound with a default in the
    /// value's place: a provider whose Type did not convert is checked as Rest, and would be told it lacks a Url).
    /// </summary>
    private static bool Explained(string error, IReadOnlyList<KeyError> keyErrors, IConfiguration configuration)
    {
        var end = error.IndexOf(": ", StringComparison.Ordinal);
        if (end < 0)
            return false;
        var key = error[..end];
        return keyErrors.Any(e => IsAtOrBelow(key, e.Key))
            || (configuration[key] is null && keyErrors.Any(e => e.Problem == KeyProblem.Unconverted && SameParent(key, e.Key)));
    }

    private static bool IsAtOrBelow(string key, string ancestor) =>
        key.Equals(ancestor, StringComparison.OrdinalIgnoreCase) || key.StartsWith(ancestor + ":", StringComparison.OrdinalIgnoreCase);

    private static bool SameParent(string a, string b) =>
        a.LastIndexOf(':') is var i and > 0 && b.LastIndexOf(':') == i && string.Compare(a, 0, b, 0, i, StringComparison.OrdinalIgnoreCase) == 0;
}
