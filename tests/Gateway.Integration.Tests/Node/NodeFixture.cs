using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>One node process shared by the tests of a class (they run one after another), with two real backends.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new("gwn");

    public NodeProcess Node { get; private set; } = null!;
    public TestBackend A { get; private set; } = null!;
    public TestBackend B { get; private set; } = null!;
    public TestBackend H2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = await TestBackend.StartAsync("a");
        B = await TestBackend.StartAsync("b");
        H2 = await TestBackend.StartAsync("h2", http2: true);
        Node = await NodeProcess.StartAsync(new NodeSettings(_dir.Path));
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        await H2.DisposeAsync();
        _dir.Dispose();
    }
}
