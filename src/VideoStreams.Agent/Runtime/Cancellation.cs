namespace VideoStreams.Agent.Runtime;

/// <summary>
/// Cancelling runs every callback registered on the token, including ones inside sources and libraries (FFMpegCore
/// writes "q" to an ffmpeg that may already be gone, and throws). A stop must reach every part regardless, and must
/// never crash the process from the signal handler: the callbacks' failures are swallowed here (all callbacks have
/// run by then; <see cref="CancellationTokenSource.Cancel()"/> throws only afterwards).
/// </summary>
internal static class Cancellation
{
    public static void CancelQuietly(this CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
            // A registered callback failed after the token was cancelled; the stop itself went through.
        }
        catch (ObjectDisposedException)
        {
            // Already torn down: nothing left to stop.
        }
    }
}
