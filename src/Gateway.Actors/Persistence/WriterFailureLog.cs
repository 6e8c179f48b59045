using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Scheduling;

namespace Gateway.Actors.Persistence;

/// <summary>
/// What writers that meet a failing journal log, once per kind per <see cref="Window"/> for the whole
/// node (per actor system), the rest at debug: a writer stopping because it could not read its
/// journal, one stopping because a write failed, a writer's gate counting its journal as down, a
/// change that reached no writer, and (as information) a writer back after the failure. During an
/// outage every command starts its writer again (so that the first command after the journal is back
/// is stored) and each start fails; every backend that changes fails its write. One warning per
/// writer was still thousands of lines when thousands of backends changed during an outage (and per
/// command before that: 2,389 lines for 6 backends in the 20 s outage of the three-node spec). Each
/// line names the writer it is about and says how many of its kind went to debug since the last one.
/// </summary>
public sealed class WriterFailureLog : IExtension
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly WarningThrottle _throttle = new(Window);

    public static WriterFailureLog For(ActorSystem system) => system.WithExtension<WriterFailureLog, WriterFailureLogProvider>();

    /// <summary>The writer <paramref name="persistenceId"/> stops because it could not read its journal.</summary>
    public void RecoveryFailed(ILoggingAdapter log, string persistenceId, string reason) =>
        Log("recovery", log, "Writer [{PersistenceId}] stops: {Reason}", persistenceId, reason);

    /// <summary>The writer <paramref name="persistenceId"/> stops because event <paramref name="sequenceNr"/> could not be stored.</summary>
    public void WriteFailed(ILoggingAdapter log, string persistenceId, long sequenceNr, string reason) =>
        Log("write", log, "Could not store event [{SequenceNr}] of [{PersistenceId}]: {Reason}; stopping so the next command recovers from the journal",
            sequenceNr, persistenceId, reason);

    /// <summary>The gate of <paramref name="writer"/> counts its journal as down and tries it again after <paramref name="delay"/>.</summary>
    public void Down(ILoggingAdapter log, string writer, string reason, TimeSpan delay) =>
        Log("down", log, "Writer [{Writer}] is down: {Reason}; trying again in [{Seconds:0.#}] s, or at the next command", writer, reason, delay.TotalSeconds);

    /// <summary>A change that reached no writer (see <see cref="UndeliveredCommandsActor"/>), answered not stored.</summary>
    public void Undelivered(ILoggingAdapter log, string command, ActorPath writer, string why) =>
        Log("undelivered", log, "[{Command}] reached no writer ([{Writer}] {Why}); answered not stored", command, writer, why);

    /// <summary>The gate of <paramref name="writer"/> has it ready again after the journal failed: information, as rare as the warnings.</summary>
    public void Back(ILoggingAdapter log, string writer, string reason) =>
        Log("back", LogLevel.InfoLevel, log, "Writer [{Writer}] is back after the journal failed ({Reason})", [writer, reason]);

    private void Log(string kind, ILoggingAdapter log, string template, params object[] values) =>
        Log(kind, LogLevel.WarningLevel, log, template, values);

    private void Log(string kind, LogLevel level, ILoggingAdapter log, string template, object[] values)
    {
        var (first, quiet) = _throttle.Next(kind, NodeClock.Machine.UtcNow);
        if (!first)
            log.Debug(template, values);
        else if (quiet == 0)
            log.Log(level, template, values);
        else
            log.Log(level, template + "; [{Quiet}] more like it since the last one", [.. values, quiet]);
    }
}

/// <summary>Akka's extension id of <see cref="WriterFailureLog"/>.</summary>
public sealed class WriterFailureLogProvider : ExtensionIdProvider<WriterFailureLog>
{
    public override WriterFailureLog CreateExtension(ExtendedActorSystem system) => new();
}
