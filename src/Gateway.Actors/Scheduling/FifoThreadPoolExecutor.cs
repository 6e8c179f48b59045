using Akka.Configuration;
using Akka.Dispatch;

namespace Gateway.Actors.Scheduling;

/// <summary>
/// Runs mailboxes on .NET's thread pool like Akka's default executor, but from its global (first in,
/// first out) queue. Akka queues a mailbox on the current worker's own queue, which that worker runs
/// last in, first out: a writer that answers the admin API and then tells the desired state had the
/// desired state, then the sync (and its runtime API round trip) run on its thread before the
/// answer's continuation, queued first. On this executor they wait their turn behind it, or run on
/// another thread.
/// </summary>
public sealed class FifoThreadPoolExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new FifoThreadPoolExecutor(id);

    private sealed class FifoThreadPoolExecutor(string id) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);

        public override void Shutdown()
        {
        }
    }
}
