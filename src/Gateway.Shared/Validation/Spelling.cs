namespace Gateway.Shared.Validation;

/// <summary>
/// "Did you mean": the known name a typo is closest to, when it is close enough to be the one meant
/// (configuration keys, and fields of the admin API's and providers' JSON).
/// </summary>
public static class Spelling
{
    public static string? Closest(string typed, IEnumerable<string> known) =>
        known.Select(key => (Key: key, Distance: Distance(typed.ToLowerInvariant(), key.ToLowerInvariant())))
            .Where(candidate => candidate.Distance <= Math.Max(1, candidate.Key.Length / 4))
            .OrderBy(candidate => candidate.Distance)
            .Select(candidate => candidate.Key)
            .FirstOrDefault();

    /// <summary>Edits from one word to the other: insert, delete, replace, or swap two neighbours (optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var replace = d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                d[i, j] = Math.Min(replace, Math.Min(d[i - 1, j], d[i, j - 1]) + 1);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
