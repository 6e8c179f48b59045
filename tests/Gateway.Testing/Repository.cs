namespace Gateway.Testing;

/// <summary>Where this checkout is: the folder holding Gateway.sln, above the tests' build output.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException($"No Gateway.sln above {AppContext.BaseDirectory}");
    }
}
