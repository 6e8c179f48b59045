using System.ComponentModel;
using System.Globalization;
using Gateway.Shared.Serialization;

namespace Gateway.Node.Configuration;

/// <summary>Lets configuration say "5s", "500ms" or "1m" (the seed's durations) as well as "00:00:05".</summary>
public sealed class DurationTypeConverter : TimeSpanConverter
{
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && Duration.TryParse(text.Trim(), out var duration) ? duration : base.ConvertFrom(context, culture, value);

    public static void Register() =>
        TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationTypeConverter)));
}
