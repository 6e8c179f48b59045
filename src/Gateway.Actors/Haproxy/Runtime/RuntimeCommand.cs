namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>What a successful reply to a runtime command looks like; HAProxy's replies carry no status code.</summary>
public enum ReplyExpectation
{
    /// <summary>Success prints nothing (set weight, set state, enable health, map edits…).</summary>
    Empty,
    /// <summary>"set server … addr": nothing, "IP changed from…", "no need to change…" or "port changed…".</summary>
    AddressChange,
    /// <summary>"New server registered."</summary>
    ServerAdded,
    /// <summary>"Server deleted."</summary>
    ServerDeleted,
    /// <summary>"New version created: N" (prepare map).</summary>
    NewVersion,
    /// <summary>A query: any output is a result.</summary>
    Output,
}

/// <summary>What a command changes on a server, for the one log line a sync round writes; not sent to HAProxy.</summary>
public enum ServerChange
{
    /// <summary>Not a server change of its own (a query, a map edit, a step of adding a server).</summary>
    None,
    Address,
    Added,
    Weight,
    State,
}

/// <summary>
/// One runtime API command line. Build them with <see cref="RuntimeCommands"/> from validated
/// values only: a runtime line is a config-injection surface (';' separates commands).
/// </summary>
public sealed record RuntimeCommand(string Text, ReplyExpectation Expect)
{
    public ServerChange Change { get; init; }

    public bool IsSuccess(string reply) => Expect switch
    {
        ReplyExpectation.Empty => reply.Length == 0,
        ReplyExpectation.AddressChange => reply.Length == 0
            || reply.StartsWith("IP changed from", StringComparison.Ordinal)
            || reply.StartsWith("no need to change", StringComparison.Ordinal)
            || reply.StartsWith("port changed from", StringComparison.Ordinal),
        ReplyExpectation.ServerAdded => reply.StartsWith("New server registered.", StringComparison.Ordinal),
        ReplyExpectation.ServerDeleted => reply.StartsWith("Server deleted.", StringComparison.Ordinal),
        ReplyExpectation.NewVersion => reply.StartsWith("New version created:", StringComparison.Ordinal),
        ReplyExpectation.Output => !IsRefusal(reply),
        _ => false,
    };

    public override string ToString() => Text;

    /// <summary>The ways HAProxy 2.6 says no to a query.</summary>
    private static bool IsRefusal(string reply) =>
        reply.StartsWith("Unknown command", StringComparison.Ordinal)
        || reply.StartsWith("Permission denied", StringComparison.Ordinal)
        || reply.StartsWith("Can't find backend", StringComparison.Ordinal)
        || reply.StartsWith("Unknown map identifier", StringComparison.Ordinal)
        || reply.StartsWith("No such", StringComparison.Ordinal);
}

/// <summary>A command with HAProxy's reply (without the prompt) and whether it reads as success.</summary>
public sealed record RuntimeReply(RuntimeCommand Command, string Output, bool Ok)
{
    public static RuntimeReply Failed(RuntimeCommand command, string reason) => new(command, reason, false);

    public override string ToString() => Ok ? $"{Command.Text}: ok" : $"{Command.Text}: {Output}";
}
