using System.Runtime.InteropServices;
using VideoStreams.Agent;
using VideoStreams.Agent.Runtime;

// SIGTERM (systemd, docker stop) and SIGINT (Ctrl+C) ask for a graceful stop: the source stops, the fragment in
// progress goes into the spool, the uploader gets a bounded moment to send what is pending, and the exit code is 0.
using var stop = new CancellationTokenSource();
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.CancelQuietly();
}

using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
return await AgentApp.RunAsync(args, Console.Out, Console.Error, stop.Token);
