using System.Globalization;
using Gateway.Shared.Validation;
using Microsoft.Extensions.Configuration;

namespace Gateway.Node.Configuration;

/// <summary>What binding does with a key in error.</summary>
internal enum KeyProblem
{
    /// <summary>The binder skips it without a word (an unknown key, a value where keys belong); bound as given.</summary>
    Ignored,

    /// <summary>The binder would throw on its value; left out, so the property's default stands in.</summary>
    Unconverted,

    /// <summary>A list item after a gap; left out, so errors about later items name the item the user wrote.</summary>
    Misnumbered,
}

/// <summary>One problem with one key.</summary>
internal sealed record KeyError(string Key, string Message, KeyProblem Problem = KeyProblem.Ignored)
{
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>
/// Walks a configuration section alongside the type it binds to and names each key the binder would
/// throw on (a value that does not convert) or silently ignore (an unknown key, a value where keys
/// belong, keys below a value, list items numbered with a gap).
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>The keys below <paramref name="section"/>, an object of <paramref name="type"/>.</summary>
    public static IReadOnlyList<KeyError> Check(IConfigurationSection section, Type type)
    {
        var errors = new List<KeyError>();
        // Its own value is not looked at: a stray environment variable GATEWAY=… must not stop the node.
        WalkKeys(section, OptionShape.KeysOf(type), errors);
        return errors;
    }

    private static void Walk(IConfigurationSection section, Type type, List<KeyError> errors)
    {
        if (ValueConversion.IsValue(type))
            WalkValue(section, type, errors);
        else if (OptionShape.EntryTypes(type) is var (keyType, valueType))
            WalkEntries(section, keyType, valueType, errors);
        else if (OptionShape.ItemType(type) is { } itemType)
            WalkItems(section, itemType, errors);
        else
            WalkObject(section, type, errors);
    }

    private static void WalkValue(IConfigurationSection section, Type type, List<KeyError> errors)
    {
        if (section.Value is { } value && ValueConversion.Problem(type, value) is { } problem)
            errors.Add(new KeyError(section.Path, problem, KeyProblem.Unconverted));
        foreach (var child in section.GetChildren())
            errors.Add(new KeyError(child.Path, $"unknown key; {section.Path} takes a value, no keys below it"));
    }

    private static void WalkObject(IConfigurationSection section, Type type, List<KeyError> errors)
    {
        var keys = OptionShape.KeysOf(type);
        if (!string.IsNullOrEmpty(section.Value))
            errors.Add(new KeyError(section.Path, $"takes keys below it ({Names(keys)}), not a value"));
        WalkKeys(section, keys, errors);
    }

    private static void WalkKeys(IConfigurationSection section, IReadOnlyList<OptionKey> keys, List<KeyError> errors)
    {
        foreach (var child in section.GetChildren())
        {
            var key = keys.FirstOrDefault(k => k.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (key is not null)
            {
                Walk(child, key.Type, errors);
                continue;
            }
            var closest = Spelling.Closest(child.Key, keys.Select(k => k.Name));
            var unknown = closest is null ? "unknown key." : $"unknown key, did you mean {closest}?";
            errors.Add(new KeyError(child.Path, $"{unknown} {section.Path} takes {Names(keys)}"));
        }
    }

    private static string Names(IReadOnlyList<OptionKey> keys) => keys.Count == 0 ? "no keys" : string.Join(", ", keys.Select(k => k.Name));

    private static void WalkItems(IConfigurationSection section, Type itemType, List<KeyError> errors)
    {
        if (!string.IsNullOrEmpty(section.Value))
            errors.Add(new KeyError(section.Path, $"takes numbered items below it ({section.Path}:0{(ValueConversion.IsValue(itemType) ? "" : ":…")}), not a value"));
        var expected = 0;
        foreach (var child in section.GetChildren())
        {
            // The binder appends items in key order whatever their numbers: after a gap, errors would name the wrong item.
            if (child.Key != expected.ToString(CultureInfo.InvariantCulture))
                errors.Add(new KeyError(child.Path, $"must be an item number (0, 1, 2… without gaps); expected {expected}", KeyProblem.Misnumbered));
            Walk(child, itemType, errors);
            expected++;
        }
    }

    private static void WalkEntries(IConfigurationSection section, Type keyType, Type valueType, List<KeyError> errors)
    {
        if (!string.IsNullOrEmpty(section.Value))
            errors.Add(new KeyError(section.Path, "takes entries below it, not a value"));
        foreach (var child in section.GetChildren())
        {
            if (ValueConversion.Problem(keyType, child.Key) is { } problem)
                errors.Add(new KeyError(child.Path, $"as an entry's name, {problem}", KeyProblem.Unconverted));
            else
                Walk(child, valueType, errors);
        }
    }
}
