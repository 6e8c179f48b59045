using System.Diagnostics;

namespace Gateway.Testing;

/// <summary>Polls a condition until it holds or a deadline passes: tests wait for conditions, never for fixed times.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? within = null, string? what = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(10);
        T last = default!;
        Exception? error = null;
        while (deadline.Elapsed < limit)
        {
            try
            {
                last = await probe();
                error = null;
                if (done(last))
                    return last;
            }
            catch (Exception e)
            {
                error = e;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"{what ?? "condition"} not met within {limit.TotalSeconds:0.#}s; last: {(error is null ? last : error.Message)}");
    }

    public static Task True(Func<Task<bool>> probe, TimeSpan? within = null, string? what = null) =>
        Get(probe, ok => ok, within, what);
}
