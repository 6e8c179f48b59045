namespace Gateway.Shared.Messages;

/// <summary>
/// Marks every message and journal event that leaves a process: it is bound to
/// <see cref="Serialization.GatewaySerializer"/>, so it is stored and sent as JSON under a stable
/// manifest, never as a CLR type name.
/// </summary>
public interface IGatewayMessage;
