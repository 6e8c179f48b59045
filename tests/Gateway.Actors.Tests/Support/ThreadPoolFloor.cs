using System.Runtime.CompilerServices;

namespace Gateway.Actors.Tests.Support;

/// <summary>
/// Starts the test process with enough thread-pool threads for its blocked ones. Specs here run
/// side by side, and some block pool threads for seconds on purpose: a held SQLite write lock
/// keeps Akka.Persistence.Sql's snapshot writes in SQLite's busy wait (up to 10 s each), on pool
/// threads. Past its minimum the pool adds a thread only every half second or so, and less when
/// the machine is busy, while every actor (on the default dispatcher) and every TestKit deadline
/// waits for one: a provider's 0.2 s retry once came 20 s late, with the test's own 5 s deadline.
/// </summary>
internal static class ThreadPoolFloor
{
    private const int Threads = 64;

    [ModuleInitializer]
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Threads), Math.Max(io, Threads));
    }
}
