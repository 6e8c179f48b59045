using System.ComponentModel;
using System.Globalization;
using Gateway.Shared.Serialization;

namespace Gateway.Node.Configuration;

/// <summary>Lets configuration say "5s", "500ms" or "1m" (the seed's durations) as well as "00:00:05".</summary>
public sealed class DurationTypeConverter : TimeSpanConverter
{
    private static int _registered;

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && Duration.TryParse(text.Trim(), out var duration) ? duration : base.ConvertFrom(context, culture, value);

    /// <summary>Once per process: each call to AddAttributes stacks another description provider on TimeSpan.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationTypeConverter)));
    }
}
