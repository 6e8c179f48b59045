namespace Gateway.Node.Admin;

/// <summary>
/// The admin HTTP API on the node's own Kestrel: backends and routes in the seed's JSON, the sync
/// status, health and readiness. Every call under /api needs <c>Authorization: Bearer &lt;token&gt;</c>;
/// every error is RFC 7807 problem details.
/// </summary>
public static class AdminApi
{
    /// <summary>How long a call waits for an actor's answer before it answers 503.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long <c>?wait=true</c> waits for HAProxy to serve a change.</summary>
    public static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);

    public static void MapAdminApi(this WebApplication app, AdminToken token)
    {
        app.UseAdminErrors();
        app.MapHealth();

        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            if (token.Matches(context.HttpContext.Request.Headers.Authorization))
                return await next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized("Send Authorization: Bearer <token> (the token is in the data dir's admin.token unless configured).");
        });
        api.MapBackends();
        api.MapRoutes();
        api.MapStatus();
    }

    /// <summary>The body's bytes (Kestrel caps them at 1 MiB).</summary>
    public static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
