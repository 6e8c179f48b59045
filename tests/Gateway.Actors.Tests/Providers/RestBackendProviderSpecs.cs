using Gateway.Actors.Providers;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// The REST provider under its actor against a real HTTP server: an unreachable, failing,
/// malformed or slow source is logged and retried, and never reads as "no backends" — only a good
/// document that lacks a backend deletes it.
/// </summary>
public class RestBackendProviderSpecs(ITestOutputHelper output) : ProviderSpec(output), IAsyncLifetime
{
    private SeedServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMilliseconds(300) };

    public async Task InitializeAsync() => _server = await SeedServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void RestProvider_should_delete_nothing_while_the_source_fails_and_exactly_what_a_good_document_lacks()
    {
        _server.Serve(Backend("a"), Backend("b", Server("s1", "10.0.0.2")));
        StartProvider("rest", new RestBackendProvider(_server.Url, TimeSpan.FromMilliseconds(50), _http));
        ExpectUpsert("a");
        ExpectUpsert("b");

        _server.Switch(SeedServer.Mode.Error);
        ExpectFailureLogged("rest", "HTTP 500");
        Eventually(() => _server.Served(SeedServer.Mode.Error) >= 3); // restarted, and failing again
        _server.Switch(SeedServer.Mode.Malformed);
        ExpectFailureLogged("rest", "malformed");
        Eventually(() => _server.Served(SeedServer.Mode.Malformed) >= 2);
        _server.Switch(SeedServer.Mode.Slow);
        ExpectFailureLogged("rest", "HttpClient.Timeout");
        Eventually(() => _server.Served(SeedServer.Mode.Slow) >= 2);
        _server.Serve(Backend("a"));

        // the first command since the two upserts: failures deleted nothing
        Assert.Equal("provider:rest", ExpectRemove("b").Source);
        _server.Serve(Backend("a"), Backend("c"));
        ExpectUpsert("c");
    }
}
