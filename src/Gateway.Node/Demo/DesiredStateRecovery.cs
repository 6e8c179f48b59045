using Akka.Actor;
using Gateway.Actors.Health;

namespace Gateway.Node.Demo;

/// <summary>Waits until the node's desired state has recovered from the journal (a slow journal delays this, a stop ends it).</summary>
public static class DesiredStateRecovery
{
    public static async Task WaitAsync(IActorRef desiredState, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if ((await desiredState.Ask<StartupStatus>(GetStartupStatus.Instance, TimeSpan.FromSeconds(5), cancellationToken)).Done)
                    return;
            }
            catch (AskTimeoutException)
            {
                // a busy node: ask again
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
