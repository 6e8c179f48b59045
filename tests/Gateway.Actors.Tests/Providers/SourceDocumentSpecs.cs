using System.Collections.Immutable;
using System.Text;
using Gateway.Actors.Providers;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// A source's document: fields Gateway does not know are accepted and named by the backend they
/// are in, warned about once each even when the source reorders its lists; a document past the
/// size limit is refused while it is read.
/// </summary>
public class SourceDocumentSpecs
{
    private const string Typos = """
        {"backends":[
          {"name":"web","protocl":"h2c","servers":[{"name":"s1","ip":"10.0.0.1","port":80,"wieght":5}]},
          {"name":"api","servers":[{"name":"s1","ip":"10.0.0.2","port":80}]}
        ],"version":3}
        """;

    private const string Reordered = """
        {"backends":[
          {"name":"api","servers":[{"name":"s1","ip":"10.0.0.2","port":80}]},
          {"name":"web","servers":[{"name":"s0","ip":"10.0.0.3","port":80},{"name":"s1","ip":"10.0.0.1","port":80,"wieght":5}],"protocl":"h2c"}
        ],"version":4}
        """;

    private static SourceSnapshot Parse(string json) => SourceDocument.Parse(Encoding.UTF8.GetBytes(json), "test");

    [Fact]
    public void Parse_should_refuse_a_document_without_its_backends_list_rather_than_read_it_as_none()
    {
        // read as an empty list, a typo of the one top-level field deleted everything the source had reported
        var refused = Assert.Throws<InvalidDataException>(() => Parse("""{"backend":[{"name":"web","servers":[]}]}"""));

        Assert.Contains("backends: is required", refused.Message);
        Assert.Empty(Parse("""{"backends":[]}""").Backends);
    }

    [Fact]
    public void Parse_should_accept_unknown_fields_and_name_the_backend_each_is_in()
    {
        var snapshot = Parse(Typos);

        Assert.Equal(["web", "api"], snapshot.Backends.Select(b => b.Name));
        Assert.Equal(Shared.Model.ServerProtocol.Http1, snapshot.Backends[0].Protocol);
        Assert.Equal(
            [("web", "protocl"), ("web", "servers[0].wieght"), (null, "version")],
            snapshot.UnknownFields.Select(f => (f.Backend, f.Field)));
        Assert.Contains("did you mean 'protocol'", snapshot.UnknownFields[0].Message);
    }

    [Fact]
    public void Unknown_field_keys_should_not_depend_on_list_positions()
    {
        var before = Parse(Typos).UnknownFields.Select(f => f.Key).Order();
        var after = Parse(Reordered).UnknownFields.Select(f => f.Key).Order();

        Assert.Equal(before, after);
        Assert.Contains("web/servers[].wieght", before);
    }

    [Fact]
    public void Warnings_should_name_each_unknown_field_once_even_when_the_source_reorders()
    {
        var (warned, first, _) = UnknownFieldWarnings.Take([], Parse(Typos).UnknownFields);
        var (_, second, more) = UnknownFieldWarnings.Take(warned, Parse(Reordered).UnknownFields);

        Assert.Equal(3, first.Count);
        Assert.Empty(second);
        Assert.Equal(0, more);
    }

    [Fact]
    public void Warnings_should_name_at_most_a_few_at_a_time_and_count_the_rest()
    {
        var found = Enumerable.Range(0, 50).Select(i => new UnknownField($"b{i}", "owner", "is not a known field")).ToList();

        var (warned, named, more) = UnknownFieldWarnings.Take(ImmutableHashSet<string>.Empty, found);
        var (_, again, moreAgain) = UnknownFieldWarnings.Take(warned, found);

        Assert.Equal(UnknownFieldWarnings.MaxPerFetch, named.Count);
        Assert.Equal(50 - UnknownFieldWarnings.MaxPerFetch, more);
        Assert.Empty(again);
        Assert.Equal(0, moreAgain);
    }

    [Fact]
    public async Task ReadAsync_should_refuse_a_stream_past_the_limit_and_stop_reading_there()
    {
        var source = new CountingStream(100 * 1024 * 1024);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() =>
            SourceDocument.ReadAsync(source, 1024 * 1024, "http://source/backends", CancellationToken.None));

        Assert.Equal("http://source/backends: document larger than [1048576] bytes (Gateway:Providers:N:MaxDocumentBytes)", refused.Message);
        Assert.True(source.Served <= 1024 * 1024 + 81920, $"read {source.Served} bytes");
    }

    [Fact]
    public async Task ReadAsync_should_take_a_document_of_exactly_the_limit()
    {
        var document = await SourceDocument.ReadAsync(new CountingStream(1000), 1000, "test", CancellationToken.None);

        Assert.Equal(1000, document.Count);
    }

    /// <summary>A stream of <c>length</c> spaces that counts what was read from it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        public long Served { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Served);
            buffer.AsSpan(offset, n).Fill((byte)' ');
            Served += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
