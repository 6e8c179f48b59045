using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Journal;
using Akka.Persistence.Sql.Journal.Dao;

namespace Gateway.Actors.Persistence;

/// <summary>
/// Akka.Persistence.Sql's journal with its writes done by a <see cref="JournalWriter"/> (SQLite and
/// PostgreSQL): one connection kept open, the <c>INSERT</c> prepared, and every write that waits while
/// one is in flight going out in the next transaction (on PostgreSQL as one statement, one round trip).
/// Akka.Persistence.Sql's own write path goes through a stream stage, a pooled connection opened per
/// write (with its pragmas on SQLite), and a statement or LinqToDB bulk copy built per write: about a
/// millisecond more for a change alone on SQLite (issue 8's trace), and a slower stream of changes on
/// PostgreSQL (the README's cluster figures). The rows are the same (its serializer makes them), so
/// its replays, tag queries, deletes and snapshot store read and run as before. Once the base journal
/// has created its tables it makes sure of their unique index on (persistence id, sequence number)
/// (<see cref="JournalKeyIndex"/>), retried with backoff while the database cannot answer. Select it
/// with <c>akka.persistence.journal.sql.class</c> (hocon/journal-*.conf).
/// </summary>
public sealed class GatewayWriteJournal : SqlWriteJournal, IWithTimers
{
    private readonly ByteArrayJournalSerializer _serializer;
    private readonly JournalWriter _writer;
    private readonly JournalDatabase _database;
    /// <summary>The key's index to make sure of once the base journal created its tables; null when it does not create them (auto-initialize off).</summary>
    private readonly JournalKeyIndex? _keyIndex;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Writes in flight per persistence id: reading a highest sequence number waits for them, as the base journal does.</summary>
    private readonly ConcurrentDictionary<string, Task> _inFlight = new();

    public GatewayWriteJournal(Config journalConfig) : base(journalConfig)
    {
        var config = new JournalConfig(journalConfig.WithFallback(SqlPersistence.DefaultJournalConfiguration));
        var table = config.TableConfig.EventJournalTable;
        _serializer = new ByteArrayJournalSerializer(config, Context.System.Serialization, config.PluginConfig.TagSeparator,
            table.UseWriterUuidColumn ? Guid.NewGuid().ToString("N") : null);
        _database = Database(Context.System, journalConfig, config.PluginId);
        _writer = new JournalWriter(_database, JournalInsert.For(table.Name, table.ColumnNames, table.UseWriterUuidColumn), _log,
            WriteTimeout(journalConfig));
        _keyIndex = config.AutoInitialize ? JournalKeyIndex.For(table.Name, table.ColumnNames) : null;
        _log.Info("Journal writes go through Gateway's writer on [{Database}]: one kept connection, group commit", _database.Description);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// How long a write may wait for the database: half the circuit breaker's call timeout (Akka gives
    /// the plugin its config with <c>journal-plugin-fallback</c> behind it), so that the writer has stored
    /// or refused it before the breaker answers it failed on its own.
    /// </summary>
    internal static TimeSpan WriteTimeout(Config journalConfig) =>
        journalConfig.GetTimeSpan("circuit-breaker.call-timeout", TimeSpan.FromSeconds(10)) / 2;

    /// <summary>When a check of the key's index that has not ended is first logged, and how often after.</summary>
    internal static readonly (TimeSpan First, TimeSpan Every) KeyIndexProgress = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));

    private sealed record EnsureKeyIndex(int Attempt);
    private sealed record KeyIndexStillRunning(long Started);
    private sealed record KeyIndexEnsured(JournalKeyIndex.Outcome Outcome);
    private sealed record KeyIndexFailed(Exception Error, int Attempt);

    protected override void PreStart()
    {
        base.PreStart();
        // the base journal holds messages until it has created its tables: this one comes after that
        if (_keyIndex is not null)
            Self.Tell(new EnsureKeyIndex(1));
    }

    /// <summary>
    /// The database from the journal's <c>provider-name</c> and <c>connection-string</c>, or from the
    /// DataOptions Akka.Hosting registered for the plugin.
    /// </summary>
    internal static JournalDatabase Database(ActorSystem system, Config journalConfig, string? pluginId)
    {
        var (provider, connectionString) = (journalConfig.GetString("provider-name"), journalConfig.GetString("connection-string"));
        var setup = system.Settings.Setup.Get<MultiDataOptionsSetup>();
        if (pluginId is not null && setup.HasValue && setup.Value.TryGetDataOptionsFor(pluginId, out var options) && options is not null)
        {
            provider = options.ConnectionOptions.ProviderName ?? provider;
            connectionString = options.ConnectionOptions.ConnectionString ?? connectionString;
        }
        if (string.IsNullOrWhiteSpace(provider) || string.IsNullOrWhiteSpace(connectionString))
            throw new ConfigurationException($"{nameof(GatewayWriteJournal)} found no provider-name and connection-string: neither in its configuration nor in Akka.Hosting's DataOptions");
        return JournalDatabase.For(provider, connectionString)
            ?? throw new ConfigurationException($"{nameof(GatewayWriteJournal)} writes SQLite and PostgreSQL journals, not [{provider}]");
    }

    /// <summary>Asks the journal how many writes and transactions it made; replies <see cref="WriteCounts"/>.</summary>
    public sealed class GetWriteCounts
    {
        public static readonly GetWriteCounts Instance = new();
    }

    /// <summary>
    /// Writes handed to the writer, writes stored, and transactions committed: fewer transactions than
    /// writes when writes shared them; <paramref name="Inline"/> of the writes committed on the journal's thread.
    /// </summary>
    public sealed record WriteCounts(long Taken, long Writes, long Transactions, long Inline);

    protected override bool ReceivePluginInternal(object message)
    {
        switch (message)
        {
            case GetWriteCounts:
                Sender.Tell(new WriteCounts(_writer.Taken, _writer.Writes, _writer.Transactions, _writer.Inline), Self);
                return true;
            case EnsureKeyIndex ensure:
                EnsureKeyIndexAsync().PipeTo(Self, success: outcome => new KeyIndexEnsured(outcome), failure: e => new KeyIndexFailed(e, ensure.Attempt));
                Timers.StartPeriodicTimer(nameof(KeyIndexStillRunning), new KeyIndexStillRunning(System.Diagnostics.Stopwatch.GetTimestamp()),
                    KeyIndexProgress.First, KeyIndexProgress.Every);
                return true;
            case KeyIndexStillRunning still:
                _log.Info("Journal [{Database}]: still making sure of its index on ({PersistenceId}, {SequenceNumber}) after [{Seconds:0}] s: {What}",
                    _database.Description, _keyIndex!.PersistenceId, _keyIndex.SequenceNumber,
                    System.Diagnostics.Stopwatch.GetElapsedTime(still.Started).TotalSeconds, _database.BuildsIndexBesideWrites
                        ? "another node holds the journal's schema lock, or the build waits for transactions older than it (pg_stat_activity lists them); writes go on"
                        : "building it, or waiting for another process's write to the database; writes wait for it, and are refused after their time");
                return true;
            case KeyIndexEnsured ensured:
                Timers.Cancel(nameof(KeyIndexStillRunning));
                LogKeyIndex(ensured.Outcome);
                return true;
            case KeyIndexFailed failed:
                Timers.Cancel(nameof(KeyIndexStillRunning));
                var delay = TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(failed.Attempt, 6)));
                _log.Warning("Journal [{Database}]: could not make sure of its index on ({PersistenceId}, {SequenceNumber}) (attempt [{Attempt}]); "
                    + "recoveries scan the journal until then; next attempt in [{Seconds}] s: {Error}", _database.Description, _keyIndex!.PersistenceId,
                    _keyIndex.SequenceNumber, failed.Attempt, delay.TotalSeconds, failed.Error.GetBaseException().Message);
                Timers.StartSingleTimer(nameof(EnsureKeyIndex), new EnsureKeyIndex(failed.Attempt + 1), delay);
                return true;
            default:
                return base.ReceivePluginInternal(message);
        }
    }

    /// <summary>On the writer's connection where the build holds writes back anyway (SQLite), beside the writes where it need not (PostgreSQL).</summary>
    private Task<JournalKeyIndex.Outcome> EnsureKeyIndexAsync()
    {
        var (index, database, log) = (_keyIndex!, _database, _log);
        var beside = database.BuildsIndexBesideWrites;
        JournalKeyIndex.Outcome Ensure(JournalDatabase db, System.Data.Common.DbConnection connection) => index.Ensure(db, connection, rows =>
        {
            if (rows > 0)
                log.Info("Journal [{Database}]: building its index on ({PersistenceId}, {SequenceNumber}) over [{Rows}] rows; {Writes}", database.Description,
                    index.PersistenceId, index.SequenceNumber, rows, beside ? "writes go on" : "writes wait for it, and are refused after their time");
        });
        if (!beside)
            return _writer.RunExclusiveAsync(Ensure);
        return Task.Factory.StartNew(() =>
        {
            // a thread of its own, which the build blocks anyway
            using var connection = database.OpenReaderAsync(CancellationToken.None).GetAwaiter().GetResult();
            return Ensure(database, connection);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void LogKeyIndex(JournalKeyIndex.Outcome outcome)
    {
        var index = _keyIndex!;
        switch (outcome.State)
        {
            case JournalKeyIndex.IndexState.Present:
                _log.Debug("Journal [{Database}]: its unique index on ({PersistenceId}, {SequenceNumber}) is there", _database.Description,
                    index.PersistenceId, index.SequenceNumber);
                break;
            case JournalKeyIndex.IndexState.Built:
                _log.Info("Journal [{Database}]: built its unique index [{Index}] on ({PersistenceId}, {SequenceNumber}) over [{Rows}] rows in [{Seconds:0.00}] s",
                    _database.Description, index.UniqueName, index.PersistenceId, index.SequenceNumber, outcome.Rows, outcome.Took.TotalSeconds);
                break;
            default:
                _log.Error("Journal [{Database}]: [{SharedKeys}] ({PersistenceId}, {SequenceNumber}) keys are each held by more than one row (one of them "
                    + "[{Example}]): two writers of one backend wrote at once. Its index [{Index}] is not unique, so a second writer is not refused; "
                    + "delete the extra rows and the next start makes it unique", _database.Description, outcome.SharedKeys, index.PersistenceId,
                    index.SequenceNumber, outcome.Example, index.PlainName);
                break;
        }
    }

    protected override void PostStop()
    {
        _writer.Dispose();
        base.PostStop();
    }

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var serialized = _serializer.Serialize(writes, DateTime.UtcNow.Ticks);
        var rows = serialized.Where(t => t.IsSuccess).SelectMany(t => t.Success.Value).ToList();
        var persistenceId = writes[0].PersistenceId;
        var written = _writer.WriteAsync(rows);
        _inFlight[persistenceId] = written;
        try
        {
            await written;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task>(persistenceId, written));
        }
        // Akka's contract: null for each write that went in, its serialization error for each that was rejected
        return serialized.Any(t => !t.IsSuccess)
            ? ImmutableList.CreateRange(serialized.Select(t => t.IsSuccess ? null! : t.Failure.Value))
            : null!;
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_inFlight.TryGetValue(persistenceId, out var written))
            await written.ContinueWith(_ => { }, TaskScheduler.Default); // done or failed: the journal now says
        return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
    }
}
