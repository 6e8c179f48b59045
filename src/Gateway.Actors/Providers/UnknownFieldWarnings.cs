using System.Collections.Immutable;

namespace Gateway.Actors.Providers;

/// <summary>
/// Which of a fetch's unknown fields a provider has not warned about yet: each field once per
/// provider, not at every poll, keyed so that a source reordering its lists is not warned again.
/// At most <see cref="MaxPerFetch"/> are named at a time, so a source that adds its own field to
/// each of 10,000 backends does not flood the log; the rest are counted.
/// </summary>
public static class UnknownFieldWarnings
{
    public const int MaxPerFetch = 20;

    /// <param name="warned">The keys already warned about.</param>
    /// <returns>The keys warned about after this fetch, the fields to name now, and how many more are new but not named.</returns>
    public static (ImmutableHashSet<string> Warned, IReadOnlyList<UnknownField> Name, int More) Take(
        ImmutableHashSet<string> warned, IReadOnlyList<UnknownField> found)
    {
        var fresh = new List<UnknownField>();
        var keys = warned.ToBuilder();
        foreach (var field in found)
            if (keys.Add(field.Key))
                fresh.Add(field);
        return (keys.ToImmutable(), fresh.Take(MaxPerFetch).ToList(), Math.Max(0, fresh.Count - MaxPerFetch));
    }
}
