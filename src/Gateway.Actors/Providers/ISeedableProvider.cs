using Gateway.Shared.Model;

namespace Gateway.Actors.Providers;

/// <summary>
/// A provider that reports changes between snapshots of its source. Seeded with the backends it
/// reported before the node restarted, so that one deleted at the source meanwhile is deleted here
/// too at the first successful fetch.
/// </summary>
public interface ISeedableProvider
{
    void Seed(IReadOnlyList<Backend> previouslyReported);
}
