using Gateway.Actors.Haproxy;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>The master CLI's <c>show proc</c> is how a reload is confirmed or found failed; parsed on HAProxy 2.6.12's exact replies.</summary>
public class ProcInfoSpecs
{
    private const string AfterStart =
        "#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
        + "2158            master          0 [failed: 0]   0d00h00m04s     2.6.12-1+deb12u4\n"
        + "# workers\n"
        + "2159            worker          0               0d00h00m04s     2.6.12-1+deb12u4\n"
        + "# programs\n";

    private const string AfterFailedReload =
        "#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
        + "2158            master          2 [failed: 1]   0d00h00m07s     2.6.12-1+deb12u4\n"
        + "# workers\n"
        + "2242            worker          1               0d00h00m01s     2.6.12-1+deb12u4\n"
        + "# programs\n";

    [Fact]
    public void ProcInfo_should_read_the_master_and_its_current_worker_after_a_start()
    {
        var text = AfterStart;

        var info = ProcInfo.Parse(text);

        Assert.Equal(2158, info.MasterPid);
        Assert.Equal(0, info.Reloads);
        Assert.Equal(0, info.FailedReloads);
        Assert.Equal([new WorkerInfo(2159, 0)], info.Workers);
        Assert.Equal(new WorkerInfo(2159, 0), info.CurrentWorker);
    }

    [Fact]
    public void ProcInfo_should_report_the_failed_reload_and_no_current_worker_after_a_failed_reload()
    {
        var text = AfterFailedReload;

        var info = ProcInfo.Parse(text);

        Assert.Equal(2158, info.MasterPid);
        Assert.Equal(2, info.Reloads);
        Assert.Equal(1, info.FailedReloads);
        Assert.Equal([new WorkerInfo(2242, 1)], info.Workers);
        Assert.Null(info.CurrentWorker);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Unknown command.\n")]
    public void ProcInfo_should_find_no_master_and_no_workers_in_an_unexpected_reply(string text)
    {
        var reply = text;

        var info = ProcInfo.Parse(reply);

        Assert.Equal(0, info.MasterPid);
        Assert.Empty(info.Workers);
        Assert.Null(info.CurrentWorker);
    }
}
