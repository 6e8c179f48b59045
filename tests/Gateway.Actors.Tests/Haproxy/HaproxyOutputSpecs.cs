using Gateway.Actors.Haproxy;
using Microsoft.Extensions.Logging;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// HAProxy 2.6 labels every server state change [WARNING], a server coming back UP included; the
/// lines below are what 2.6.12 printed here (servers going down and up, drain, maintenance, runtime
/// add and delete, a reload, a stop). Good news and routine lines are lowered, nothing else is.
/// </summary>
public class HaproxyOutputSpecs
{
    [Theory]
    [InlineData("[WARNING]  (15913) : Server be/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")]
    [InlineData("[WARNING]  (15913) : Server be/s2 is UP/READY (leaving forced maintenance).")]
    [InlineData("[WARNING]  (15913) : CLI : Server be/s3 is UP/READY (leaving forced maintenance).")]
    [InlineData("[WARNING]  (15913) : Server be/s2 is UP (leaving forced drain).")]
    public void HaproxyOutput_should_log_a_server_back_in_service_as_information(string line)
    {
        Assert.Equal(LogLevel.Information, HaproxyOutput.LevelOf(line));
    }

    [Theory]
    [InlineData("[WARNING]  (15913) : Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")]
    [InlineData("[WARNING]  (15913) : Server be/s2 is DOWN (leaving forced maintenance).")]
    [InlineData("[WARNING]  (15913) : Server be/s2 is going DOWN for maintenance. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")]
    [InlineData("[WARNING]  (15913) : Server be/s3 was DOWN and now enters maintenance.")]
    [InlineData("[WARNING]  (15913) : Server be/s2 enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")]
    [InlineData("[WARNING]  (16391) : Server be/s2 remains in forced drain mode.")]
    [InlineData("[WARNING]  (15883) : Former worker (15913) exited with code 139 (Segmentation fault)")]
    [InlineData("[WARNING]  (15913) : Server be/UPSTREAM is DOWN, reason: Layer4 timeout, check duration: 2001ms.")]
    [InlineData("[WARNING]  (15913) : a warning Gateway has never seen")]
    public void HaproxyOutput_should_keep_a_server_going_down_and_any_other_warning_a_warning(string line)
    {
        Assert.Equal(LogLevel.Warning, HaproxyOutput.LevelOf(line));
    }

    [Theory]
    [InlineData("[ALERT]    (15913) : backend 'be' has no server available!")]
    [InlineData("[ALERT]    (1) : config : parsing [/etc/haproxy/haproxy.cfg:12] : unknown keyword 'bogus'")]
    public void HaproxyOutput_should_log_alerts_as_errors(string line)
    {
        Assert.Equal(LogLevel.Error, HaproxyOutput.LevelOf(line));
    }

    [Theory]
    [InlineData("[WARNING]  (15913) : CLI : Proxy fe stopped (cumulated conns: FE: 0, BE: 0).")]
    [InlineData("[WARNING]  (16213) : Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).")]
    [InlineData("[WARNING]  (15883) : Former worker (15913) exited with code 0 (Exit)")]
    [InlineData("[WARNING]  (15883) : Current worker (16213) exited with code 0 (Exit)")]
    [InlineData("[WARNING]  (15883) : Exiting Master process...")]
    [InlineData("[WARNING]  (15883) : All workers exited. Exiting... (0)")]
    [InlineData("[WARNING]  (8139) : config : Server pair/s3 remains in forced drain mode.")]
    [InlineData("[NOTICE]   (15883) : New worker (15913) forked")]
    [InlineData("[NOTICE]   (15883) : Loading success.")]
    [InlineData("[NOTICE]   (15913) : CLI : 'server be/s3' : New server registered.")]
    [InlineData("[NOTICE]   (15883) : Reloading HAProxy")]
    [InlineData("Server be/s1 is UP without a label")]
    public void HaproxyOutput_should_log_notices_and_routine_reload_and_stop_lines_at_debug(string line)
    {
        Assert.Equal(LogLevel.Debug, HaproxyOutput.LevelOf(line));
    }
}
