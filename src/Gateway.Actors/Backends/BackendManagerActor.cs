using Akka.Hosting;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Actors.DesiredState;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Backends;

/// <summary>
/// Routes every backend command by name to that backend's <see cref="BackendActor"/>, creating it
/// on demand. At start it lists the backends the journal knows (persistence ids
/// <c>backend-*</c>) and asks the <see cref="BackendCatalogActor"/> for their latest state: what the
/// catalog knows goes to the desired-state view at once, and only backends it does not know are
/// woken to recover and report (all of them without a catalog). Backends that recover as deleted
/// are passivated; messages that arrive while one is asked to stop are held, then delivered to it
/// (if it turned out to exist) or to its next incarnation.
/// </summary>
public sealed class BackendManagerActor : ReceiveActor
{
    /// <summary>A child asks to be stopped (it recovered as deleted).</summary>
    public sealed record Passivate(string Name);

    /// <summary>A child asked to stop turned out to exist after all: deliver what was held for it.</summary>
    public sealed record Resume(string Name);

    /// <summary>The backend names found in the journal at start, what the catalog knows of them, and why it knows nothing if so.</summary>
    private sealed record KnownBackends(IReadOnlyList<string> Names, IReadOnlyList<CatalogEntry> Catalog, string? CatalogProblem);

    /// <summary>A catalog without a snapshot reads the whole history once: give it time before waking every backend instead.</summary>
    private static readonly TimeSpan CatalogTimeout = TimeSpan.FromMinutes(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _desiredState;
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _passivating = new(StringComparer.Ordinal);

    /// <summary>
    /// Names the journal may hold: those it listed at start and every one seen since. Null until
    /// the list is in. A name outside it is new, and its actor skips reading the journal. (Sound
    /// while this manager is the only writer of backends, as on a single node.)
    /// </summary>
    private HashSet<string>? _known;

    public BackendManagerActor(IActorRef desiredState, string readJournalId, IActorRef? catalog)
    {
        _desiredState = desiredState;

        Receive<UpsertBackend>(command =>
        {
            if (Rules.Name(command.BackendName) is { } error)
                Sender.Tell(new BackendRejected(command.BackendName ?? "", [new ValidationError("name", error)]));
            else
                Deliver(command.BackendName, command);
        });
        Receive<RemoveBackend>(command =>
        {
            if (Rules.Name(command.BackendName) is not null)
                Sender.Tell(new BackendNotFound(command.BackendName ?? ""));
            else
                Deliver(command.BackendName, command);
        });
        // The seed's provider event, from other Akka services.
        Receive<BackendEvent>(evt =>
        {
            var source = $"akka:{Sender.Path}";
            object command = evt.Type == BackendEventType.Delete
                ? new RemoveBackend(evt.Backend.Name, source)
                : new UpsertBackend(evt.Backend, source);
            Self.Forward(command);
        });
        Receive<KnownBackends>(known =>
        {
            if (known.CatalogProblem is not null)
                _log.Warning("Backend catalog unavailable ({0}): every backend recovers on its own", known.CatalogProblem);
            var catalogued = new HashSet<string>(known.Catalog.Select(e => e.Name), StringComparer.Ordinal);
            var toWake = known.Names.Where(n => !catalogued.Contains(n)).ToList();
            var all = known.Names.Union(catalogued).ToList();
            _log.Info("Recovering [{0}] backends: [{1}] from the catalog, [{2}] from their own journal", all.Count, catalogued.Count, toWake.Count);
            _known = [.. all];
            foreach (var child in Context.GetChildren())
                _known.Add(child.Path.Name);
            foreach (var entry in known.Catalog)
                _desiredState.Tell(new BackendStateChanged(entry.Name, entry.Version, entry.Backend, entry.Source));
            _desiredState.Tell(new DesiredStateActor.ExpectBackends(all));
            foreach (var name in toWake)
                ChildFor(name);
        });
        Receive<Status.Failure>(failure =>
        {
            // Without the list, nothing can be recovered: fail loudly; the supervisor restarts and lists again.
            throw new InvalidOperationException("Could not list backends in the journal", failure.Cause);
        });
        Receive<Passivate>(passivate =>
        {
            var child = Context.Child(passivate.Name);
            if (!child.IsNobody() && !_passivating.ContainsKey(passivate.Name))
            {
                _passivating[passivate.Name] = [];
                child.Tell(BackendActor.StopIfDeleted.Instance); // after whatever it already has in its mailbox
            }
        });
        Receive<Resume>(resume =>
        {
            if (!_passivating.Remove(resume.Name, out var held))
                return;
            foreach (var (message, sender) in held)
                Sender.Tell(message, sender);
        });
        Receive<Terminated>(terminated =>
        {
            var name = terminated.ActorRef.Path.Name;
            if (!_passivating.Remove(name, out var held) || held.Count == 0)
                return;
            var child = ChildFor(name);
            foreach (var (message, sender) in held)
                child.Tell(message, sender);
        });

        ListKnownBackends(readJournalId, catalog);
    }

    /// <param name="catalog">The <see cref="BackendCatalogActor"/>; without one every backend wakes at start.</param>
    public static Props Props(IActorRef desiredState, string readJournalId, IActorRef? catalog = null) =>
        Akka.Actor.Props.Create(() => new BackendManagerActor(desiredState, readJournalId, catalog));

    private void Deliver(string name, object message)
    {
        if (_passivating.TryGetValue(name, out var held))
            held.Add((message, Sender));
        else
            ChildFor(name).Forward(message);
    }

    private IActorRef ChildFor(string name)
    {
        var existing = Context.Child(name);
        if (!existing.IsNobody())
            return existing;
        var isNew = _known is not null && _known.Add(name);
        var child = Context.ActorOf(BackendActor.Props(name, _desiredState, isNew), name);
        Context.Watch(child);
        return child;
    }

    private void ListKnownBackends(string readJournalId, IActorRef? catalog)
    {
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<ICurrentPersistenceIdsQuery>(readJournalId);
        var materializer = Context.System.Materializer();
        async Task<KnownBackends> List()
        {
            var names = await journal.CurrentPersistenceIds()
                .Where(id => id.StartsWith(BackendActor.PersistencePrefix, StringComparison.Ordinal))
                .Select(id => id[BackendActor.PersistencePrefix.Length..])
                .RunWith(Sink.Seq<string>(), materializer).ConfigureAwait(false);
            IReadOnlyList<CatalogEntry> entries = [];
            string? problem = null;
            if (catalog is not null)
            {
                try
                {
                    var reply = await catalog.Ask<object>(BackendCatalogActor.GetCatalog.Instance, CatalogTimeout).ConfigureAwait(false);
                    if (reply is BackendCatalogActor.Catalog known)
                        entries = known.Backends;
                    else
                        problem = $"unexpected {reply.GetType().Name}";
                }
                catch (AskTimeoutException)
                {
                    problem = $"no answer within {CatalogTimeout.TotalMinutes} min";
                }
                catch (Exception e) // the catalog answered Status.Failure (it could not read the journal): logged, every backend wakes instead
                {
                    problem = e.Message;
                }
            }
            return new KnownBackends(names.Distinct(StringComparer.Ordinal).ToList(), entries, problem);
        }
        List().PipeTo(Self);
    }
}

/// <summary>Akka.Hosting registration of <see cref="BackendManagerActor"/>.</summary>
public static class BackendManagerActorHosting
{
    /// <param name="readJournalId">The persistence query plugin that lists persistence ids (Akka.Persistence.Sql's by default).</param>
    public static AkkaConfigurationBuilder AddBackendManager(this AkkaConfigurationBuilder builder, string readJournalId) =>
        builder.WithActors((system, registry) =>
            registry.Register<BackendManagerActor>(system.ActorOf(
                BackendManagerActor.Props(registry.Get<DesiredStateActor>(), readJournalId, registry.Get<BackendCatalogActor>()), "backends")));
}
