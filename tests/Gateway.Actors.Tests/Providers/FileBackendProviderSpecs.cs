using Gateway.Actors.Providers;
using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// The file provider under its actor on a real file: a new content is reported as the seed's
/// events; a missing or half-written file is a failed read, retried, never "no backends".
/// </summary>
public class FileBackendProviderSpecs(ITestOutputHelper output) : ProviderSpec(output)
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gwa-file-").FullName;

    private string FilePath => Path.Combine(_directory, "backends.json");

    /// <summary>Writes the document next to the file and renames it over, as a careful writer does.</summary>
    private void Write(params Backend[] backends) => WriteText(GatewayJson.Serialize(new BackendList { Backends = backends }));

    private void WriteText(string text)
    {
        var staged = FilePath + ".new";
        File.WriteAllText(staged, text);
        File.Move(staged, FilePath, overwrite: true);
    }

    [Fact]
    public void FileProvider_should_report_what_a_new_content_changes()
    {
        Write(Backend("a"), Backend("b"));
        using var provider = new FileBackendProvider(FilePath, TimeSpan.FromMilliseconds(200));
        StartProvider("file", provider);
        ExpectUpsert("a");
        ExpectUpsert("b");

        Write(Backend("a", Server("s1", "10.0.0.9")), Backend("b"), Backend("c"));

        Assert.Equal("10.0.0.9", ExpectUpsert("a").Backend.Servers[0].IP);
        Assert.Equal("provider:file", ExpectUpsert("c").Source);
    }

    [Fact]
    public void FileProvider_should_delete_nothing_while_the_file_is_missing_or_invalid()
    {
        Write(Backend("a"), Backend("b"));
        using var provider = new FileBackendProvider(FilePath, TimeSpan.FromMilliseconds(100));
        StartProvider("file", provider);
        ExpectUpsert("a");
        ExpectUpsert("b");

        File.Delete(FilePath);
        ExpectFailureLogged("file", "Could not find file");
        WriteText("{\"backends\":[{\"name\":\"a\",\"servers\":[{\"name\":\"s1\",\"ip\":\"10.0.0.1\",\"port\":99999}]}]}");
        ExpectFailureLogged("file", "port");
        Write(Backend("a"));

        // the first command since the upserts: neither failure deleted anything
        ExpectRemove("b");
        Write(Backend("a"), Backend("d"));
        ExpectUpsert("d");
    }

    [Fact]
    public void FileProvider_should_refuse_a_file_past_its_limit_and_change_nothing()
    {
        Write(Backend("a"));
        using var provider = new FileBackendProvider(FilePath, TimeSpan.FromMilliseconds(100), maxDocumentBytes: 1024 * 1024);
        StartProvider("file", provider);
        ExpectUpsert("a");

        // a valid document, padded past the limit: only the limit refuses it
        WriteText(GatewayJson.Serialize(new BackendList { Backends = [Backend("a"), Backend("big")] }) + new string(' ', 2 * 1024 * 1024));
        ExpectFailureLogged("file", "document larger than [1048576] bytes");
        Write(Backend("a"), Backend("c"));

        // the first command since "a": "big" was never read
        ExpectUpsert("c");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            Directory.Delete(_directory, recursive: true);
    }
}
