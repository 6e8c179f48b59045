using Akka.Event;
using Gateway.Actors.Providers;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// The REST provider under its actor against a real HTTP server: an unreachable, failing,
/// malformed, slow or over-size source is logged and retried, and never reads as "no backends" —
/// only a good document that lacks a backend deletes it. Fields Gateway does not know are warned
/// about once.
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

    private const int OneMiB = 1024 * 1024;

    [Theory]
    [InlineData(SeedServer.Mode.Endless)]
    [InlineData(SeedServer.Mode.HugeLength)]
    public void RestProvider_should_refuse_a_document_past_its_limit_without_reading_it_and_change_nothing(SeedServer.Mode mode)
    {
        // a timeout far beyond the spec's waits: only the size limit can end these fetches in time
        var counting = new CountingHandler();
        using var patient = new HttpClient(counting) { Timeout = TimeSpan.FromSeconds(60) };
        _server.Serve(Backend("a"));
        StartProvider("rest", new RestBackendProvider(_server.Url, TimeSpan.FromMilliseconds(50), patient, maxDocumentBytes: OneMiB));
        ExpectUpsert("a");

        _server.Switch(mode);
        ExpectFailureLogged("rest", "document larger than [1048576] bytes (Gateway:Providers:N:MaxDocumentBytes)", TimeSpan.FromSeconds(10));
        var read = counting.LargestBody;
        _server.Serve(Backend("a"), Backend("b"));

        // read up to the limit and one buffer more at most; unlimited, it would have read the 512 MiB
        Assert.True(read <= OneMiB + 128 * 1024, $"the provider read a body of {read} bytes");
        // the first command since "a": the refused documents changed nothing
        ExpectUpsert("b");
        Assert.Contains("larger than", ExpectStatus(s => s.LastSuccess > s.LastError?.At).LastError!.Message);
    }

    /// <summary>Counts the bytes the provider reads of each response body, and keeps the largest count.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private long _largest;

        public long LargestBody => Interlocked.Read(ref _largest);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = new CountingStream(await response.Content.ReadAsStreamAsync(cancellationToken), this);
            var content = new StreamContent(body);
            foreach (var header in response.Content.Headers)
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = content;
            return response;
        }

        private sealed class CountingStream(Stream inner, CountingHandler owner) : Stream
        {
            private long _read;

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var n = await inner.ReadAsync(buffer, cancellationToken);
                Count(n);
                return n;
            }

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override int Read(byte[] buffer, int offset, int count)
            {
                var n = inner.Read(buffer, offset, count);
                Count(n);
                return n;
            }

            private void Count(int n)
            {
                _read += n;
                long largest;
                while (_read > (largest = Interlocked.Read(ref owner._largest)) && Interlocked.CompareExchange(ref owner._largest, _read, largest) != largest)
                {
                }
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    inner.Dispose();
                base.Dispose(disposing);
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _read; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    [Fact]
    public void RestProvider_should_warn_once_about_each_unknown_field_even_when_the_source_reorders_its_lists()
    {
        _server.ServeRaw("""
            {"backends":[
              {"name":"web","protocl":"h2c","servers":[{"name":"s1","ip":"10.0.0.1","port":80,"wieght":5}]},
              {"name":"api","servers":[{"name":"s1","ip":"10.0.0.2","port":80}]}
            ]}
            """);
        StartProvider("rest", new RestBackendProvider(_server.Url, TimeSpan.FromMilliseconds(50), _http));
        Assert.Equal(Shared.Model.ServerProtocol.Http1, ExpectUpsert("web").Backend.Protocol); // accepted: the typo is ignored
        ExpectUpsert("api");
        Eventually(() => _server.Served(SeedServer.Mode.Good) >= 5);

        _server.ServeRaw("""
            {"backends":[
              {"name":"api","servers":[{"name":"s1","ip":"10.0.0.2","port":80}]},
              {"name":"web","servers":[{"name":"s0","ip":"10.0.0.3","port":80},{"name":"s1","ip":"10.0.0.1","port":80,"wieght":5}],"protocl":"h2c"}
            ]}
            """);
        ExpectUpsert("web");
        var polled = _server.Served(SeedServer.Mode.Good);
        Eventually(() => _server.Served(SeedServer.Mode.Good) >= polled + 5);

        var unknown = Warnings.ReceiveWhile(TimeSpan.FromMilliseconds(300), o => o as Warning)
            .OfType<Warning>()
            .Select(w => w.Message.ToString()!)
            .Where(m => m.Contains("field"))
            .ToList();
        Assert.Equal(
            [
                "Provider [rest]: backend [web]: field [protocl] is not a known field (did you mean 'protocol'?); ignored",
                "Provider [rest]: backend [web]: field [servers[0].wieght] is not a known field (did you mean 'weight'?); ignored",
            ],
            unknown);
    }
}
