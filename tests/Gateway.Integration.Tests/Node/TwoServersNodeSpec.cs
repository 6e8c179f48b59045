using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>Node specs with a data dir of their own and two test servers, answering "a" and "b".</summary>
public abstract class TwoServersNodeSpec(string dirPrefix) : IAsyncLifetime
{
    protected TempDir Dir { get; } = new(dirPrefix);

    protected TestBackend A { get; private set; } = null!;

    protected TestBackend B { get; private set; } = null!;

    /// <summary>A backend of one server, <paramref name="server"/>, as the admin API takes it.</summary>
    protected static string Backend(string name, TestBackend server) => Cluster.NodeCluster.Backend(name, server);

    public async Task InitializeAsync()
    {
        A = await TestBackend.StartAsync("a");
        B = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        Dir.Dispose();
    }
}
