using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Health;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Backends;

/// <summary>Start: wait for the journal, list its backends and read the catalog, then tell the desired-state view what to expect.</summary>
public sealed partial class BackendManagerActor
{
    private const string Component = "backends";

    /// <summary>A catalog without a snapshot reads the whole history once: give it time before waking every backend instead.</summary>
    private static readonly TimeSpan CatalogTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How often a missing catalog answer is asked again (a catalog restarting after a journal outage lost the question).</summary>
    private static readonly TimeSpan CatalogReminder = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(500), MaxRetry = TimeSpan.FromSeconds(10);

    /// <summary>Where the start is: what has come in, and what it still waits for.</summary>
    private sealed record Startup(string WaitingFor, ICurrentPersistenceIdsQuery? Query, IReadOnlyList<string>? Names,
        IReadOnlyList<CatalogEntry>? Catalog, string? CatalogProblem, int ListFailures, DateTime CatalogAsked)
    {
        public static readonly Startup WaitingForJournal = new("the journal", null, null, null, null, 0, DateTime.MinValue);

        public bool Complete => Names is not null && Catalog is not null;

        public Startup Described() => this with
        {
            WaitingFor = (Names, Catalog) switch
            {
                (null, null) => "the list of backends in the journal and the backend catalog",
                (null, _) => ListFailures > 0 ? $"the list of backends in the journal (failed {ListFailures} times)" : "the list of backends in the journal",
                _ => "the backend catalog, which reads the journal's history",
            },
        };
    }

    private sealed record Listed(IReadOnlyList<string> Names);
    private sealed record ListFailed(Exception Cause);
    private sealed class ListAgain
    {
        public static readonly ListAgain Instance = new();
    }
    private sealed class RemindCatalog
    {
        public static readonly RemindCatalog Instance = new();
    }

    private void Starting(Startup startup)
    {
        Become(() =>
        {
            Commands();
            Receive<GetStartupStatus>(_ => Sender.Tell(new StartupStatus(Component, startup.WaitingFor)));
            Receive<JournalReadinessActor.JournalAvailable>(available =>
            {
                var query = (ICurrentPersistenceIdsQuery)available.ReadJournal;
                List(query);
                var next = startup with { Query = query, Catalog = _catalog is null ? [] : null, CatalogAsked = DateTime.UtcNow };
                _catalog?.Tell(BackendCatalogActor.GetCatalog.Instance);
                if (_catalog is not null)
                    Timers.StartPeriodicTimer(nameof(RemindCatalog), RemindCatalog.Instance, CatalogReminder);
                Continue(next.Described());
            });
            Receive<ListAgain>(_ => List(startup.Query!));
            Receive<Listed>(listed => Continue(startup with { Names = listed.Names }));
            Receive<ListFailed>(failed =>
            {
                var failures = startup.ListFailures + 1;
                var delay = TimeSpan.FromTicks(Math.Min(MinRetry.Ticks << Math.Min(failures - 1, 6), MaxRetry.Ticks));
                _log.Warning("Could not list the backends in the journal: {Error}; attempt [{Attempt}] failed, next in [{Seconds:0.#}] s",
                    failed.Cause.GetBaseException().Message, failures, delay.TotalSeconds);
                Timers.StartSingleTimer(nameof(ListAgain), ListAgain.Instance, delay);
                Continue(startup with { ListFailures = failures });
            });
            Receive<BackendCatalogActor.Catalog>(catalog => Continue(startup with { Catalog = catalog.Backends }));
            Receive<RemindCatalog>(_ =>
            {
                var waited = DateTime.UtcNow - startup.CatalogAsked;
                if (waited >= CatalogTimeout)
                {
                    Continue(startup with { Catalog = [], CatalogProblem = $"no answer within {CatalogTimeout.TotalMinutes:0} min" });
                    return;
                }
                _log.Info("Waiting for the backend catalog to read the journal ([{Seconds:0}] s so far)", waited.TotalSeconds);
                _catalog!.Tell(BackendCatalogActor.GetCatalog.Instance);
            });
        });
    }

    private void Continue(Startup startup)
    {
        if (startup.Complete)
            Recovered(startup);
        else
            Starting(startup.Described());
    }

    /// <summary>Lists the journal's <c>backend-*</c> persistence ids, off the actor.</summary>
    private void List(ICurrentPersistenceIdsQuery query)
    {
        var materializer = Context.System.Materializer();
        query.CurrentPersistenceIds()
            .Where(id => id.StartsWith(BackendActor.PersistencePrefix, StringComparison.Ordinal))
            .Select(id => id[BackendActor.PersistencePrefix.Length..])
            .RunWith(Sink.Seq<string>(), materializer)
            .PipeTo(Self, success: names => new Listed(names.Distinct(StringComparer.Ordinal).ToList()), failure: e => new ListFailed(e));
    }

    /// <summary>Hands what the catalog knows to the desired-state view and wakes only the backends it does not know.</summary>
    private void Recovered(Startup startup)
    {
        Timers.Cancel(nameof(RemindCatalog));
        Timers.Cancel(nameof(ListAgain));
        if (startup.CatalogProblem is not null)
            _log.Warning("Backend catalog unavailable ({Problem}): every backend recovers on its own", startup.CatalogProblem);
        var catalog = startup.Catalog!;
        var catalogued = new HashSet<string>(catalog.Select(e => e.Name), StringComparer.Ordinal);
        var toWake = startup.Names!.Where(n => !catalogued.Contains(n)).ToList();
        var all = startup.Names!.Union(catalogued).ToList();
        _log.Info("Recovering [{Backends}] backends: [{Catalogued}] from the catalog, [{Woken}] from their own journal", all.Count, catalogued.Count, toWake.Count);
        _known = [.. all];
        foreach (var child in Context.GetChildren())
            _known.Add(child.Path.Name);
        foreach (var entry in catalog)
            _desiredState.Tell(new BackendStateChanged(entry.Name, entry.Version, entry.Backend, entry.Source));
        _desiredState.Tell(new DesiredStateActor.ExpectBackends(all));
        foreach (var name in toWake)
            if (Context.Child(name).IsNobody())
                Start(name);
        Running();
    }
}
