using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Gateway.Actors.Backends;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Bench;

/// <summary>
/// Stands in for <see cref="BackendActor"/> in the tag bench: persistence id <c>backend-&lt;i&gt;</c>,
/// one <c>Persist(new Tagged(evt, BackendActor.Tags))</c> per change as the real actor does (the
/// journal batches across actors, not within one), each event a whole backend definition through
/// the Gateway serializer. No snapshots: they do not touch the journal table the tag reads scan.
/// </summary>
internal sealed class TagWriterActor : ReceivePersistentActor
{
    /// <summary>Persist <see cref="Count"/> changes one after the other, then answer <see cref="Written"/>.</summary>
    public sealed record Write(int Count);

    /// <summary>The last change is stored; <see cref="StoredAt"/> is a <see cref="Stopwatch"/> timestamp taken in its persist handler.</summary>
    public sealed record Written(string PersistenceId, long SequenceNr, long StoredAt);

    private readonly string _name;

    public TagWriterActor(string name)
    {
        _name = name;
        Command<Write>(write => PersistNext(write.Count, Sender));
    }

    public override string PersistenceId => BackendActor.PersistencePrefix + _name;

    public static Props Props(string name) => Akka.Actor.Props.Create(() => new TagWriterActor(name));

    private void PersistNext(int remaining, IActorRef replyTo) =>
        Persist(new Tagged(new BackendChanged(Definition(_name, LastSequenceNr + 1), "bench"), BackendActor.Tags), _ =>
        {
            if (remaining > 1)
                PersistNext(remaining - 1, replyTo);
            else
                replyTo.Tell(new Written(PersistenceId, LastSequenceNr, Stopwatch.GetTimestamp()));
        });

    /// <summary>A backend of the size the journal holds in practice: four servers, weights, an HTTP check (about 400 bytes serialized).</summary>
    public static Backend Definition(string name, long version) => new()
    {
        Name = name,
        Balance = BalanceAlgorithm.LeastConn,
        HealthCheck = new HealthCheck { Path = "/healthz", Interval = TimeSpan.FromSeconds(5) },
        Servers = Enumerable.Range(1, 4).Select(s => new BackendServer
        {
            Name = $"{name}-s{s}",
            IP = $"10.{s}.{version / 250 % 250}.{version % 250 + 1}",
            Port = 8080 + s,
            Weight = 10 * s,
        }).ToList(),
    };
}
