using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Event;
using Akka.Persistence.Sql.Journal.Types;

namespace Gateway.Actors.Persistence;

/// <summary>
/// A node's journal writer: a connection kept open with its <c>INSERT</c> prepared, and a group commit.
/// A write alone goes straight into a transaction of its own; writes that arrive while one commits
/// wait and go out together in the next (up to <see cref="MaxRowsPerTransaction"/> rows), so a stream
/// of changes pays one commit per batch. A write is answered once its transaction committed; a failed
/// transaction fails every write in it, and the connection is opened again for the next; but when a
/// write in it holds a key a stored row has (<see cref="JournalDatabase.IsUniqueViolation"/>), each
/// write is tried alone, so that only that one fails.
/// <para>
/// A write that finds the writer quiet (nothing queued, no commit for <see cref="Quiet"/>) commits
/// on the caller's thread, the journal actor's, if the database lets it without waiting
/// (<see cref="JournalConnection.TryInsertNow"/>: SQLite with no other writer; never PostgreSQL):
/// the hand-off woke the writer's sleeping thread, 0.05–0.09 ms of a 1.5 ms change alone (issue 8's
/// trace). Writes close together still go to the writer and share its commits, and a write that
/// would wait for a lock goes there too: the journal actor never waits for another writer.
/// </para>
/// <para>
/// Every write is stored or refused within its time (<see cref="JournalWriter(JournalDatabase, JournalInsert, ILoggingAdapter, TimeSpan)"/>),
/// well before Akka's circuit breaker gives up on it: one still queued then is refused unwritten,
/// and a transaction waits for a lock no longer than what is left of it. Before, a write held up by
/// another connection's lock was answered failed by the breaker after 10 s and committed once the lock
/// went: stored in the journal, while its writer had been told it was not (and the node did not serve it).
/// </para>
/// </summary>
public sealed class JournalWriter : IDisposable
{
    /// <summary>Rows in one transaction at most: a burst is split so that no answer waits for thousands of rows.</summary>
    public const int MaxRowsPerTransaction = 1000;

    /// <summary>How long no commit must have ended before a write may commit on its caller's thread.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(10);

    private static readonly long QuietTicks = (long)(Quiet.TotalSeconds * Stopwatch.Frequency);

    /// <param name="Deadline">A <see cref="Stopwatch"/> timestamp: not written after it.</param>
    private sealed record Pending(IReadOnlyList<JournalRow> Rows, TaskCompletionSource Done, long Deadline);

    private readonly BlockingCollection<Pending> _queue = new();
    /// <summary>Held for each transaction: the writer's thread and a caller's share one connection.</summary>
    private readonly Lock _commit = new();
    private long _lastCommitEnded;
    private readonly JournalDatabase _database;
    private readonly JournalInsert _insert;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _within;
    private readonly Thread _thread;
    private long _taken, _transactions, _writes, _inline;
    private JournalConnection? _connection;

    /// <param name="within">How long a write may wait (queued, or for another connection's lock) before it is refused unwritten.</param>
    public JournalWriter(JournalDatabase database, JournalInsert insert, ILoggingAdapter log, TimeSpan within)
    {
        _database = database;
        _insert = insert;
        _log = log;
        _within = within;
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

    /// <summary>Writes committed on their caller's thread because the writer was quiet.</summary>
    public long Inline => Interlocked.Read(ref _inline);

    /// <summary>Writes <paramref name="rows"/> in one transaction (with whatever else waits): done once committed.</summary>
    public Task WriteAsync(IReadOnlyList<JournalRow> rows)
    {
        if (rows.Count == 0)
            return Task.CompletedTask;
        if (TryWriteInline(rows) is { } written)
            return written;
        // completed on the writer thread, which goes on with the journal's reply (a tell): no hop through the thread pool
        var done = new TaskCompletionSource();
        try
        {
            _queue.Add(new Pending(rows, done, Stopwatch.GetTimestamp() + (long)(_within.TotalSeconds * Stopwatch.Frequency)));
            Interlocked.Increment(ref _taken);
        }
        catch (InvalidOperationException)
        {
            done.TrySetException(new InvalidOperationException("the journal writer has stopped"));
        }
        return done.Task;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer's connection (opened if need be) on a thread of its
    /// own, with no write in between: writes wait for it. A failure closes the connection, as a failed
    /// write does.
    /// </summary>
    public Task<T> RunExclusiveAsync<T>(Func<JournalDatabase, System.Data.Common.DbConnection, T> work) =>
        Task.Factory.StartNew(() =>
        {
            lock (_commit)
            {
                try
                {
                    _connection ??= _database.Open(_insert);
                    return _connection.Use(connection => work(_database, connection));
                }
                catch
                {
                    Close();
                    throw;
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The write committed here, or null when the writer is not quiet or the database would make it wait: then it goes to the writer's queue.</summary>
    private Task? TryWriteInline(IReadOnlyList<JournalRow> rows)
    {
        if (_queue.Count > 0 || Stopwatch.GetTimestamp() - Volatile.Read(ref _lastCommitEnded) < QuietTicks || !_commit.TryEnter())
            return null;
        try
        {
            // the writer's thread opens a connection (again): only an open one may commit here
            if (_connection is null || _queue.Count > 0 || _queue.IsAddingCompleted || !_connection.TryInsertNow(rows))
                return null;
            Committed(1);
            Interlocked.Increment(ref _taken);
            Interlocked.Increment(ref _inline);
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _taken);
            Failed(e, rows.Count, 1);
            return Task.FromException(e);
        }
        finally
        {
            Volatile.Write(ref _lastCommitEnded, Stopwatch.GetTimestamp());
            _commit.Exit();
        }
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
            Commit(batch);
        }
        lock (_commit)
            Close();
    }

    /// <summary>
    /// Commits <paramref name="batch"/> in one transaction and answers its writes; one holding a stored
    /// key (a second writer of a backend) fails alone, and those past their time are refused unwritten.
    /// </summary>
    private void Commit(IReadOnlyList<Pending> batch)
    {
        List<Pending> live = [];
        try
        {
            lock (_commit)
            {
                live = WithinTime(batch);
                if (live.Count > 0)
                    Write(live);
            }
            foreach (var pending in live)
                pending.Done.TrySetResult();
        }
        catch (Exception e) when (live.Count > 1 && _database.IsUniqueViolation(e))
        {
            foreach (var pending in live)
                Commit([pending]);
        }
        catch (Exception e)
        {
            lock (_commit)
                Failed(e, live.Sum(pending => pending.Rows.Count), live.Count);
            foreach (var pending in live)
                pending.Done.TrySetException(e);
        }
    }

    /// <summary>The writes of <paramref name="batch"/> still within their time; the others are answered failed, never to be written.</summary>
    private List<Pending> WithinTime(IReadOnlyList<Pending> batch)
    {
        var now = Stopwatch.GetTimestamp();
        var late = batch.Where(pending => pending.Deadline <= now).ToList();
        if (late.Count == 0)
            return batch as List<Pending> ?? [.. batch];
        _log.Warning("Journal [{Database}]: [{Writes}] writes waited longer than [{Seconds:0.0}] s for the database (another connection's write, "
            + "an index being built, a slow disk) and were not written", _database.Description, late.Count, _within.TotalSeconds);
        var error = new TimeoutException($"the journal's database was busy for [{_within.TotalSeconds:0.0}] s; not written");
        foreach (var pending in late)
            pending.Done.TrySetException(error);
        return [.. batch.Where(pending => pending.Deadline > now)];
    }

    /// <summary>What is left of the earliest deadline in <paramref name="batch"/>.</summary>
    private static TimeSpan TimeLeft(IReadOnlyList<Pending> batch) =>
        Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), batch.Min(pending => pending.Deadline));

    /// <summary>
    /// One transaction for <paramref name="writes"/>, on the kept connection (opened again after a
    /// failure), waiting no longer than what is left of their time; under <see cref="_commit"/>.
    /// </summary>
    private void Write(IReadOnlyList<Pending> writes)
    {
        try
        {
            _connection ??= _database.Open(_insert);
            var left = TimeLeft(writes); // opening may have taken some of it
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"connecting to the journal's database took longer than [{_within.TotalSeconds:0.0}] s; not written");
            _connection.Insert(writes.SelectMany(pending => pending.Rows), left);
        }
        finally
        {
            Volatile.Write(ref _lastCommitEnded, Stopwatch.GetTimestamp());
        }
        Committed(writes.Count);
    }

    private void Committed(int writes)
    {
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _writes, writes);
    }

    /// <summary>A transaction failed: its writes fail, and the next opens the connection again; under <see cref="_commit"/>.</summary>
    private void Failed(Exception e, int rows, int writes)
    {
        _log.Warning("Journal [{Database}]: [{Rows}] rows of [{Writes}] writes not stored, connecting again for the next: {Error}", _database.Description, rows, writes, e.Message);
        Close();
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
