namespace Gateway.Actors.Providers;

/// <summary>
/// How long a failed provider waits before it is started again: <see cref="Min"/> after the first
/// failure, doubling with each failure in a row up to <see cref="Max"/>. A success starts it over.
/// </summary>
public sealed record ProviderBackoff(TimeSpan Min, TimeSpan Max)
{
    public static readonly ProviderBackoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>At most this many of a polling provider's intervals between two attempts.</summary>
    public const int MaxIntervals = 3;

    /// <summary>
    /// The backoff for a provider that reads its source every <paramref name="interval"/>: a
    /// source that recovers is picked up within a few intervals, as a working one would be, never
    /// later than <see cref="Max"/> and never sooner than <see cref="Min"/>. No interval: unchanged.
    /// </summary>
    public ProviderBackoff For(TimeSpan? interval) =>
        interval is { } every
            ? this with { Max = TimeSpan.FromTicks(Math.Clamp(every.Ticks * MaxIntervals, Min.Ticks, Math.Max(Min.Ticks, Max.Ticks))) }
            : this;

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 for the first).</summary>
    public TimeSpan After(int failures)
    {
        var delay = Min.Ticks;
        for (var i = 1; i < failures && delay > 0 && delay < Max.Ticks; i++)
            delay *= 2;
        return TimeSpan.FromTicks(Math.Min(delay, Math.Max(Min.Ticks, Max.Ticks)));
    }
}
