namespace Gateway.Shared.Messages;

/// <summary>
/// A change to a backend or to the routes was not stored: the journal could not be written, or its
/// writer could not read the journal to start. Nothing changed; the change can be sent again.
/// </summary>
/// <param name="Reason">Why, for the caller (the journal's own error where there is one).</param>
public sealed record NotStored(string Reason) : IGatewayMessage;
