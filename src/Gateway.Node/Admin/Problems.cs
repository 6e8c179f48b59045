using Gateway.Actors.Cluster;
using Gateway.Shared.Messages;
using Gateway.Shared.Validation;

namespace Gateway.Node.Admin;

/// <summary>
/// RFC 7807 answers for the admin API: bad input names each field, every other error says what
/// happened. Each answer is logged with its request when it is written (<see cref="Refusal"/>).
/// </summary>
public static class Problems
{
    public static IResult Invalid(string title, IEnumerable<ValidationError> errors)
    {
        var list = errors.ToList();
        return new Refusal(StatusCodes.Status400BadRequest, string.Join("; ", list), Results.ValidationProblem(
            list.GroupBy(e => e.Field.Length == 0 ? "body" : e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: title));
    }

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    /// <summary>The change was not stored (the journal failed, or its writer is not ready): nothing changed, send it again.</summary>
    public static IResult NotStored(string detail) => Problem(StatusCodes.Status503ServiceUnavailable, "Not stored", detail);

    /// <summary>A writer's answer that is none of the expected ones: a journal failure, or a bug, said plainly.</summary>
    public static IResult Unexpected(object reply) => reply switch
    {
        NotStored notStored => NotStored($"The change was not stored: {notStored.Reason}"),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal error", $"Unexpected answer {reply.GetType().Name}"),
    };

    /// <summary>
    /// A change was stored, but not every node's HAProxy serves it (<c>?wait=true</c>): on a node alone
    /// its HAProxy's reason; in a cluster the nodes that do not serve it, each with why, and the
    /// members that could not be asked.
    /// </summary>
    public static IResult NotServed(ServedReport report)
    {
        var missing = report.Nodes.Where(n => !n.Served).ToList();
        if (!report.Clustered)
            return Problem(StatusCodes.Status502BadGateway, "Stored, but HAProxy does not serve it", string.Join("; ", missing.Select(n => n.Reason)));
        var detail = $"Served by {report.Nodes.Count - missing.Count} of {report.Nodes.Count} reachable nodes; not by "
            + string.Join("; ", missing.Select(n => $"{n.Node} ({n.Reason})"));
        var extensions = new Dictionary<string, object?>
        {
            ["nodes"] = report.Nodes.Select(n => new { node = n.Node, served = n.Served, reason = n.Reason }).ToList(),
            ["unreachable"] = report.Unreachable,
        };
        return new Refusal(StatusCodes.Status502BadGateway, detail,
            Results.Problem(detail, statusCode: StatusCodes.Status502BadGateway, title: "Stored, but not served by every node", extensions: extensions));
    }

    public static IResult Problem(int status, string title, string detail) =>
        new Refusal(status, detail, Results.Problem(detail, statusCode: status, title: title));

    /// <summary>An error answer that logs itself with its request: Information for refused input, Warning when the node is degraded, Error for a bug.</summary>
    private sealed class Refusal(int status, string reason, IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminApi).FullName!);
            log.Log(AdminErrors.LevelOf(status), "Admin API answered [{Method} {Path}] with [{Status}]: {Reason}",
                context.Request.Method, context.Request.Path.Value, status, reason);
            return problem.ExecuteAsync(context);
        }
    }
}
