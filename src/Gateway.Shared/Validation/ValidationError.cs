namespace Gateway.Shared.Validation;

/// <summary>One thing wrong with an input, naming the field as a JSON path (<c>servers[1].port</c>).</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";

    public ValidationError Under(string parent) =>
        this with { Field = Field.Length == 0 ? parent : Field.StartsWith('[') ? parent + Field : $"{parent}.{Field}" };
}
