using System.Reflection;
using Gateway.Actors.Haproxy;
using Microsoft.Extensions.Configuration;

namespace Gateway.Node.Configuration;

/// <summary>One key an options type takes: its name as messages write it, and the type its value binds to.</summary>
internal sealed record OptionKey(string Name, Type Type);

/// <summary>
/// What the configuration binder makes of a type, found by reflection so that a property added later
/// is known without touching the loader: the keys of an object, the items of a list, the entries of a dictionary.
/// </summary>
internal static class OptionShape
{
    /// <summary>
    /// The seed writes GatewayConfig's keys in capitals (HTTPPort for HttpPort). Keys match ignoring
    /// case either way; this only makes lists of known keys read like the README.
    /// </summary>
    private static readonly string[] SeedSpellings = ["HTTPPort", "HTTPSPort", "HTTPSEnabled", "SSLCertDir", "StrictSNI", "EnableHTTP2", "ALPN"];

    /// <summary>Public properties the binder sets, or fills in when it cannot set them (a get-only object or list).</summary>
    public static IReadOnlyList<OptionKey> KeysOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .Where(p => p.SetMethod is { IsPublic: true } || !ValueConversion.IsValue(p.PropertyType))
            .Select(p => new OptionKey(NameOf(p), p.PropertyType))
            .ToList();

    /// <summary>The item type of an array or list; null for anything else.</summary>
    public static Type? ItemType(Type type) => type.IsArray ? type.GetElementType() : GenericArguments(type, typeof(IEnumerable<>))?[0];

    /// <summary>Key and value types of a dictionary; null for anything else.</summary>
    public static (Type Key, Type Value)? EntryTypes(Type type) =>
        (GenericArguments(type, typeof(IDictionary<,>)) ?? GenericArguments(type, typeof(IReadOnlyDictionary<,>))) is [var key, var value]
            ? (key, value)
            : null;

    private static string NameOf(PropertyInfo property)
    {
        // The binder looks a property up by this attribute's name when it has one.
        var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
        return property.DeclaringType == typeof(GatewayConfig)
            ? SeedSpellings.FirstOrDefault(s => s.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name
            : name;
    }

    private static Type[]? GenericArguments(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type.GetGenericArguments()
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition)?.GetGenericArguments();
}
