using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// The SQLite journal's files deleted under a running node (a clean-up script, an operator): changes
/// are refused as not stored, not answered stored into the deleted file. Found by a probe: they were
/// answered 200, and the next start found no journal and took every backend out of HAProxy.
/// </summary>
public sealed class JournalRemovedSpecs() : TwoServersNodeSpec("gwrm")
{
    [Fact]
    public async Task Changes_after_the_journal_file_was_removed_should_be_refused_not_answered_stored()
    {
        await using var node = await NodeProcess.StartAsync(new NodeSettings(Dir.Path));
        await node.PutOkAsync("/api/backends/before?wait=true", Backend("before", A));

        foreach (var file in new[] { "journal.db", "journal.db-wal", "journal.db-shm" })
            File.Delete(Path.Combine(Dir.Path, file));

        foreach (var name in new[] { "after", "again" }) // and it stays refused
        {
            using var refused = await node.PutJsonAsync($"/api/backends/{name}", Backend(name, B));
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name}: {(int)refused.StatusCode} {problem}");
            Assert.Equal("Not stored", problem.GetProperty("title").GetString());
        }
        Assert.Contains("was removed or moved away while the node ran", node.Output);
        // the node still knows (and HAProxy still serves) what was stored before
        using (var before = await node.Admin.GetAsync("/api/backends/before"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
    }
}
