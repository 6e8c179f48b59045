using Npgsql;

namespace Gateway.Bench;

/// <summary>
/// Which node is a backend's single writer (its shard's node): a trigger on the journal notes, for
/// the bench's probe backends only, the <c>application_name</c> of the connection that inserted each
/// row, and every node connects as <c>gw-node{i}</c>. The trigger is dropped once the probes exist,
/// so the measured changes pay nothing for it.
/// </summary>
public static partial class ClusterBench
{
    private const string ProbePrefix = "probe";

    /// <summary>Creates <paramref name="count"/> probe backends through node 1 and answers each one's writer (node number, from 1).</summary>
    private static async Task<IReadOnlyDictionary<string, int>> ProbeWritersAsync(ClusterNodes cluster, int count, string ip)
    {
        var names = Enumerable.Range(0, count).Select(i => $"{ProbePrefix}{i}").ToList();
        await using var db = new NpgsqlConnection(cluster.ConnectionString);
        await db.OpenAsync();
        await ExecuteAsync(db, $"""
            CREATE TABLE bench_writers (persistence_id text NOT NULL, application text NOT NULL);
            CREATE FUNCTION bench_note_writer() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO bench_writers VALUES (NEW.persistence_id, current_setting('application_name'));
              RETURN NEW;
            END $$;
            CREATE TRIGGER bench_writers AFTER INSERT ON journal FOR EACH ROW
              WHEN (NEW.persistence_id LIKE 'backend-{ProbePrefix}%') EXECUTE FUNCTION bench_note_writer();
            """);
        try
        {
            await cluster.Nodes[0].PostOkAsync("/api/backends?wait=true", Document(names.Select(name => Backend(name, ip, 20000))));
            await using var read = db.CreateCommand();
            read.CommandText = "SELECT DISTINCT persistence_id, application FROM bench_writers";
            var writers = new Dictionary<string, int>(StringComparer.Ordinal);
            await using var rows = await read.ExecuteReaderAsync();
            while (await rows.ReadAsync())
                writers[rows.GetString(0)["backend-".Length..]] = ClusterNodes.NodeNumber(rows.GetString(1));
            return names.Count == writers.Count
                ? writers
                : throw new InvalidOperationException($"writers noted for {writers.Count} of {names.Count} probes");
        }
        finally
        {
            await ExecuteAsync(db, "DROP TRIGGER bench_writers ON journal");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
