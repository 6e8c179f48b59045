using System.Text.Json.Serialization;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Messages;

/// <summary>Asks a node for the health of its backend providers. Replies <see cref="ProvidersStatus"/>.</summary>
public sealed record GetProvidersStatus : IGatewayMessage
{
    public static readonly GetProvidersStatus Instance = new();
}

/// <summary>The health of every provider of a node, in the order they are configured.</summary>
public sealed record ProvidersStatus(IReadOnlyList<ProviderStatus> Providers) : IGatewayMessage;

/// <summary>
/// One provider's health, so a failing source is visible without reading the log. A provider
/// actor tells its parent this whenever it changes.
/// </summary>
/// <param name="Type">The provider's class (<c>RestBackendProvider</c>, <c>FileBackendProvider</c>, …).</param>
/// <param name="LastSuccess">The last completed fetch (a polling provider) or successful start (any other), UTC.</param>
/// <param name="LastError">The last failure; kept after a recovery (<see cref="ConsecutiveFailures"/> says whether it is current).</param>
/// <param name="ConsecutiveFailures">Failures since the last success.</param>
/// <param name="NextAttempt">When a failed provider is started again (UTC); null unless it waits for that.</param>
public sealed record ProviderStatus(
    string Name,
    string Type,
    ProviderState State,
    DateTime? LastSuccess,
    ProviderError? LastError,
    int ConsecutiveFailures,
    DateTime? NextAttempt) : IGatewayMessage;

/// <summary>What made a provider fail, and when (UTC).</summary>
public sealed record ProviderError(string Message, DateTime At);

/// <summary>Where a provider is in its life: starting, watching its source, or waiting to restart after a failure.</summary>
[JsonConverter(typeof(NamedEnumConverter<ProviderState>))]
public enum ProviderState
{
    [JsonStringEnumMemberName("starting")] Starting,
    [JsonStringEnumMemberName("watching")] Watching,
    [JsonStringEnumMemberName("waiting")] Waiting,
}
