using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// A data dir and two real backends, "web" and an API (named by the spec), for specs that start
/// their own nodes; <see cref="Backend"/> is the admin API's body for a backend of one server.
/// </summary>
public abstract class WebAndApiSpec(string apiName) : IAsyncLifetime
{
    protected TempDir Dir { get; } = new("gwn");
    protected TestBackend Web { get; private set; } = null!;
    protected TestBackend Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web = await TestBackend.StartAsync("web");
        Api = await TestBackend.StartAsync(apiName);
    }

    public async Task DisposeAsync()
    {
        await Web.DisposeAsync();
        await Api.DisposeAsync();
        Dir.Dispose();
    }

    protected static string Backend(TestBackend server) =>
        $$"""{"servers":[{"name":"s1","ip":"{{server.IP}}","port":{{server.Port}}}]}""";
}
