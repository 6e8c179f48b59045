using System.Collections.Concurrent;
using Akka.Event;
using Akka.Persistence.Sql.Journal.Types;

namespace Gateway.Actors.Persistence;

/// <summary>
/// A node's journal writer: a connection kept open with its <c>INSERT</c> prepared, and a group commit.
/// A write alone goes straight into a transaction of its own; writes that arrive while one commits
/// wait and go out together in the next (up to <see cref="MaxRowsPerTransaction"/> rows), so a stream
/// of changes pays one commit per batch. A write is answered once its transaction committed; a failed
/// transaction fails every write in it, and the connection is opened again for the next.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    /// <summary>Rows in one transaction at most: a burst is split so that no answer waits for thousands of rows.</summary>
    public const int MaxRowsPerTransaction = 1000;

    private sealed record Pending(IReadOnlyList<JournalRow> Rows, TaskCompletionSource Done);

    private readonly BlockingCollection<Pending> _queue = new();
    private readonly JournalDatabase _database;
    private readonly JournalInsert _insert;
    private readonly ILoggingAdapter _log;
    private readonly Thread _thread;
    private long _taken, _transactions, _writes;
    private JournalConnection? _connection;

    public JournalWriter(JournalDatabase database, JournalInsert insert, ILoggingAdapter log)
    {
        _database = database;
        _insert = insert;
        _log = log;
        // a thread of its own: a commit blocks on the database, and a busy thread pool must not hold writes back
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "journal-writer" };
        _thread.Start();
    }

    /// <summary>Writes handed to the writer so far, stored or not yet.</summary>
    public long Taken => Interlocked.Read(ref _taken);

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
            Interlocked.Increment(ref _taken);
        }
        catch (InvalidOperationException)
        {
            done.TrySetException(new InvalidOperationException("the journal writer has stopped"));
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
                _log.Warning("Journal [{Database}]: [{Rows}] rows of [{Writes}] writes not stored, connecting again for the next: {Error}", _database.Description, rows, batch.Count, e.Message);
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
        _connection ??= _database.Open(_insert);
        _connection.Insert(batch.SelectMany(pending => pending.Rows));
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _writes, batch.Count);
    }

    private void Close()
    {
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>Stops taking writes; those queued are still written, then the connection closes.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        if (!_thread.Join(TimeSpan.FromSeconds(10)))
            _log.Warning("Journal writer on [{Database}] still busy 10 s after its journal stopped", _database.Description);
    }
}
