using Serilog.Core;
using Serilog.Events;

namespace Gateway.Node.Logging;

/// <summary>
/// Adds <c>Source</c>: " &lt;SourceContext&gt;" when the event has a source, nothing otherwise, so
/// the console template ends lines without a source cleanly instead of with " &lt;&gt;".
/// </summary>
public sealed class SourceSuffix : ILogEventEnricher
{
    public const string Property = "Source";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var suffix = logEvent.Properties.TryGetValue("SourceContext", out var context) && context is ScalarValue { Value: string name } && name.Length > 0
            ? $" <{name}>"
            : "";
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(Property, suffix));
    }
}
