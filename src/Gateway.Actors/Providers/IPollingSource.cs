namespace Gateway.Actors.Providers;

/// <summary>
/// A provider that reads its source every interval and tells its host about each completed read.
/// The host counts a completed fetch as a success (its status, the reset of its backoff), keeps its
/// retry backoff within a few intervals, and warns about the fields the source's document has that
/// Gateway does not know. Kept apart from <see cref="Gateway.Shared.Providers.IBackendProvider"/>,
/// a public contract other services implement.
/// </summary>
public interface IPollingSource
{
    /// <summary>How often the source is read.</summary>
    TimeSpan Interval { get; }

    /// <summary>Sets what is called after each completed fetch (on the polling task), replacing what was set before.</summary>
    void OnFetched(Action<FetchReport> fetched);
}

/// <summary>A completed fetch: how many backends the source listed, and the fields its document has that Gateway ignored.</summary>
public sealed record FetchReport(int Backends, IReadOnlyList<UnknownField> UnknownFields);
