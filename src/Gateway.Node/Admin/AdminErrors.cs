using Akka.Actor;
using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Node.Admin;

/// <summary>
/// No error of the admin API leaves without a problem body: an exception is logged with its request
/// and answered as RFC 7807 (503 when an actor did not answer in time, 500 for anything unexpected),
/// and a status the framework sets without a body (an unknown path, a wrong method) gets one too.
/// </summary>
public static class AdminErrors
{
    public static void UseAdminErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = Answer,
            // the handler logs each exception itself, at its level: not again as an unhandled error with its stack
            SuppressDiagnosticsCallback = _ => true,
        });
        app.UseStatusCodePages(async pages =>
        {
            var context = pages.HttpContext;
            var status = context.Response.StatusCode;
            var detail = status switch
            {
                StatusCodes.Status404NotFound => $"No such resource: {context.Request.Path.Value}",
                StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path.Value}",
                _ => $"HTTP {status}",
            };
            await Problems.Problem(status, ReasonOf(status), detail).ExecuteAsync(context);
        });
    }

    /// <summary>An exception as a problem, logged with its request: a bug as an Error with its stack, an answer that the node is degraded as a Warning.</summary>
    private static async Task Answer(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var (status, title, detail) = Describe(error, context.Request.Method);
        var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminApi).FullName!);
        var request = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path.Value;
        if (status >= StatusCodes.Status500InternalServerError && status != StatusCodes.Status503ServiceUnavailable)
            log.LogError(error, "Admin API failed on [{Method} {Path}]", context.Request.Method, request);
        else
            log.Log(LevelOf(status), "Admin API answered [{Method} {Path}] with [{Status}]: {Reason}", context.Request.Method, request, status, detail);
        context.Response.StatusCode = status;
        await Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    /// <summary>Refused input is ordinary (Information); an answer that says the node is degraded is a Warning; a bug an Error.</summary>
    public static LogLevel LevelOf(int status) => status switch
    {
        StatusCodes.Status503ServiceUnavailable or StatusCodes.Status502BadGateway => LogLevel.Warning,
        >= 500 => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <param name="method">A change (not a read) that got no answer in time may still be stored: the answer says so.</param>
    private static (int Status, string Title, string Detail) Describe(Exception? error, string method) => error switch
    {
        AskTimeoutException timeout => (StatusCodes.Status503ServiceUnavailable, "Not available",
            $"No answer in time ({timeout.Message}); the node is busy or still starting: try again"
            + (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? "" : " (the change may still be stored meanwhile: read it back, or send it again, as the same PUT stores nothing twice)")),
        BadHttpRequestException bad => (bad.StatusCode, ReasonOf(bad.StatusCode), bad.Message),
        _ => (StatusCodes.Status500InternalServerError, "Internal error",
            $"An unexpected {error?.GetType().Name ?? "error"} was logged by the node: {error?.Message}"),
    };

    private static string ReasonOf(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
