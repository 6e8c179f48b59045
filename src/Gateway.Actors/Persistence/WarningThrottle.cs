namespace Gateway.Actors.Persistence;

/// <summary>
/// Whether a repeated warning about one thing (a writer) is worth a line now: the first one is, and
/// then one per <see cref="Window"/>, which says how many it stood for. Thread-safe.
/// </summary>
public sealed class WarningThrottle(TimeSpan window)
{
    /// <summary>Keys kept at most; past it, those not warned about within the window are forgotten.</summary>
    private const int MaxKeys = 10_000;

    private readonly Dictionary<string, (DateTime Warned, int Quiet)> _keys = new(StringComparer.Ordinal);

    public TimeSpan Window { get; } = window;

    /// <summary>
    /// Another occurrence for <paramref name="key"/> at <paramref name="now"/>: <c>Warn</c> when it gets a
    /// line, with <c>Quiet</c> how many occurrences got none since the last line.
    /// </summary>
    public (bool Warn, int Quiet) Next(string key, DateTime now)
    {
        lock (_keys)
        {
            if (_keys.TryGetValue(key, out var last) && now - last.Warned < Window)
            {
                _keys[key] = last with { Quiet = last.Quiet + 1 };
                return (false, 0);
            }
            if (_keys.Count >= MaxKeys)
                foreach (var stale in _keys.Where(k => now - k.Value.Warned >= Window).Select(k => k.Key).ToList())
                    _keys.Remove(stale);
            _keys[key] = (now, 0);
            return (true, last.Quiet);
        }
    }
}
