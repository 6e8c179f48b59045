using System.ComponentModel;

namespace Gateway.Node.Configuration;

/// <summary>
/// One configuration value read as the binder reads it (the type's TypeConverter, so durations go
/// through <see cref="DurationTypeConverter"/>), and what a key of that type takes when it does not convert.
/// </summary>
internal static class ValueConversion
{
    /// <summary>The binder's own test: a type it reads from one string rather than from keys below it.</summary>
    public static bool IsValue(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    /// <summary>Null when <paramref name="value"/> converts to <paramref name="type"/>; otherwise what the key takes.</summary>
    public static string? Problem(Type type, string value)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        // The binder reads an empty value as null for a nullable type.
        if (underlying is not null && value.Length == 0)
            return null;
        var target = underlying ?? type;
        return Converts(target, value) && (!target.IsEnum || IsEnumName(target, value)) ? null : Allowed(target);
    }

    private static bool Converts(Type type, string value)
    {
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception)
        {
            // Converters throw what they like (FormatException, ArgumentException, OverflowException…): each means "not this type".
            return false;
        }
    }

    /// <summary>EnumConverter also takes numbers and comma lists; only the names are documented, so only names are taken.</summary>
    private static bool IsEnumName(Type type, string value)
    {
        var parts = type.IsDefined(typeof(FlagsAttribute), inherit: false) ? value.Split(',') : [value];
        return parts.All(part => Enum.GetNames(type).Contains(part.Trim(), StringComparer.OrdinalIgnoreCase));
    }

    private static string Allowed(Type type)
    {
        if (type == typeof(TimeSpan))
            return "must be a duration such as 500ms, 5s, 1m or 00:00:05";
        if (type == typeof(bool))
            return "must be true or false";
        if (type.IsEnum)
            return $"must be one of {string.Join(", ", Enum.GetNames(type))}";
        return Type.GetTypeCode(type) switch
        {
            >= TypeCode.SByte and <= TypeCode.UInt64 => "must be an integer",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "must be a number",
            _ => $"must be a valid {type.Name}",
        };
    }
}
