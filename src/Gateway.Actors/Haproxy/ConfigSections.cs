namespace Gateway.Actors.Haproxy;

/// <summary>Which section of a rendered <c>haproxy.cfg</c> a line belongs to, to tell which backend an error is about.</summary>
public static class ConfigSections
{
    /// <summary>The backend whose section holds line <paramref name="line"/> (1-based), or null for global, defaults and frontend lines.</summary>
    public static string? BackendAt(string config, int line)
    {
        string? section = null;
        var number = 0;
        foreach (var text in config.AsSpan().EnumerateLines())
        {
            number++;
            if (text.StartsWith("backend "))
                section = text["backend ".Length..].Trim().ToString();
            else if (text.Length > 0 && !char.IsWhiteSpace(text[0]) && !text.StartsWith("#"))
                section = null;
            if (number == line)
                return section;
        }
        return null;
    }
}
