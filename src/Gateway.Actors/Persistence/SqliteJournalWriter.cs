using System.Collections.Concurrent;
using Akka.Event;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Journal.Types;
using Microsoft.Data.Sqlite;

namespace Gateway.Actors.Persistence;

/// <summary>
/// SQLite's one journal writer: a connection kept open with a prepared <c>INSERT</c>, and a group
/// commit. A write alone goes straight into a transaction of its own; writes that arrive while one
/// commits wait and go out together in the next (up to <see cref="MaxRowsPerTransaction"/> rows), so
/// a stream of changes pays one fsync per batch. A write is answered once its transaction committed
/// (on disk, as SQLite's <c>synchronous</c> setting says); a failed transaction fails every write in
/// it and the connection is opened again for the next.
/// </summary>
public sealed class SqliteJournalWriter : IDisposable
{
    /// <summary>Rows in one transaction at most: a burst is split so that no answer waits for thousands of rows.</summary>
    public const int MaxRowsPerTransaction = 1000;

    private sealed record Pending(IReadOnlyList<JournalRow> Rows, TaskCompletionSource Done);

    private readonly BlockingCollection<Pending> _queue = new();
    private readonly string _connectionString;
    private readonly string _insert;
    private readonly bool _writerUuid;
    private readonly ILoggingAdapter _log;
    private readonly Thread _thread;
    private long _transactions, _writes;
    private SqliteConnection? _connection;
    private SqliteCommand? _command;

    public SqliteJournalWriter(string connectionString, string table, JournalTableColumnNames columns, bool writerUuid, ILoggingAdapter log)
    {
        _connectionString = connectionString;
        _writerUuid = writerUuid;
        _log = log;
        var names = new List<string>
        {
            columns.Deleted, columns.PersistenceId, columns.SequenceNumber, columns.Created, columns.Tags, columns.Message,
            columns.Identifier, columns.Manifest,
        };
        if (writerUuid)
            names.Add(columns.WriterUuid);
        _insert = $"INSERT INTO \"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) "
            + $"VALUES ({string.Join(", ", Enumerable.Range(0, names.Count).Select(i => $"$p{i}"))})";
        // a thread of its own: a commit blocks on the disk, and a busy thread pool must not hold writes back
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-journal-writer" };
        _thread.Start();
    }

    /// <summary>Transactions committed so far: fewer than writes when writes waited for one another.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>Writes stored so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Writes <paramref name="rows"/> in one transaction (with whatever else waits): done once committed.</summary>
    public Task WriteAsync(IReadOnlyList<JournalRow> rows)
    {
        if (rows.Count == 0)
            return Task.CompletedTask;
        // completed on the writer thread, which goes on with the journal's reply (a tell): no hop through the thread pool
        var done = new TaskCompletionSource();
        try
        {
            _queue.Add(new Pending(rows, done));
        }
        catch (InvalidOperationException)
        {
            done.TrySetException(new InvalidOperationException("the SQLite journal writer has stopped"));
        }
        return done.Task;
    }

    private void WriteLoop()
    {
        var batch = new List<Pending>();
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Clear();
            batch.Add(first);
            var rows = first.Rows.Count;
            while (rows < MaxRowsPerTransaction && _queue.TryTake(out var pending))
            {
                batch.Add(pending);
                rows += pending.Rows.Count;
            }
            try
            {
                Write(batch);
                foreach (var pending in batch)
                    pending.Done.TrySetResult();
            }
            catch (Exception e)
            {
                _log.Warning("SQLite journal: [{0}] rows of [{1}] writes not stored: {2}", rows, batch.Count, e.Message);
                Close();
                foreach (var pending in batch)
                    pending.Done.TrySetException(e);
            }
        }
        Close();
    }

    /// <summary>One transaction for the whole batch, on the kept connection (opened again after a failure).</summary>
    private void Write(List<Pending> batch)
    {
        var command = _command ?? Open();
        using var transaction = _connection!.BeginTransaction();
        command.Transaction = transaction;
        var parameters = command.Parameters;
        foreach (var pending in batch)
            foreach (var row in pending.Rows)
            {
                parameters[0].Value = row.Deleted ? 1 : 0;
                parameters[1].Value = row.PersistenceId;
                parameters[2].Value = row.SequenceNumber;
                parameters[3].Value = row.Timestamp;
                parameters[4].Value = (object?)row.Tags ?? DBNull.Value;
                parameters[5].Value = row.Message;
                parameters[6].Value = (object?)row.Identifier ?? DBNull.Value;
                parameters[7].Value = row.Manifest;
                if (_writerUuid)
                    parameters[8].Value = (object?)row.WriterUuid ?? DBNull.Value;
                command.ExecuteNonQuery();
            }
        transaction.Commit();
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _writes, batch.Count);
    }

    private SqliteCommand Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            // as SqliteJournalConnection sets for the pooled connections: wait for the snapshot store's writes, small cache
            pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA cache_size = -256;";
            pragma.ExecuteNonQuery();
        }
        var command = connection.CreateCommand();
        command.CommandText = _insert;
        for (var i = 0; i < (_writerUuid ? 9 : 8); i++)
            command.Parameters.Add(new SqliteParameter($"$p{i}", null));
        _connection = connection;
        _command = command;
        return command;
    }

    private void Close()
    {
        _command?.Dispose();
        _connection?.Dispose();
        (_command, _connection) = (null, null);
    }

    /// <summary>Stops taking writes; those queued are still written, then the connection closes.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        if (!_thread.Join(TimeSpan.FromSeconds(10)))
            _log.Warning("SQLite journal writer still busy 10 s after its journal stopped");
    }
}
