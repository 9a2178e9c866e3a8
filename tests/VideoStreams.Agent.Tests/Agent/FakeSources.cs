using VideoStreams.Agent.Configuration;
using VideoStreams.Agent.Runtime;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Upload;
using VideoStreams.TestSupport;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary>
/// In-test sources and uploaders for the agent's seams: real H.264 from ffmpeg's libx264 (320x240, 30 fps, an IDR
/// every second), delivered at the capture pace with wall-clock timestamps, as a camera would.
/// </summary>
internal static class FakeSources
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IReadOnlyList<byte[]>? _units;

    /// <summary>90 access units (3 s) of Annex B H.264, an access unit delimiter before each picture.</summary>
    public static async Task<IReadOnlyList<byte[]>> AccessUnitsAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_units is not null)
            {
                return _units;
            }

            var path = Path.Combine(Path.GetTempPath(), $"vs-agent-{Guid.NewGuid():N}.h264");
            try
            {
                var result = await ToolRunner.RunAsync("ffmpeg",
                [
                    "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-frames:v", "90",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-bf", "0",
                    "-x264-params", "aud=1", "-pix_fmt", "yuv420p", "-f", "h264", "-y", path,
                ]);
                result.EnsureSuccess("ffmpeg encode");
                _units = Split(await File.ReadAllBytesAsync(path));
                return _units;
            }
            finally
            {
                File.Delete(path);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Hooks whose source plays the test H.264 in a loop and whose uploader does nothing until stopped.</summary>
    public static async Task<AgentHooks> HooksAsync(Func<DeviceSettings, IVideoSource>? source = null, bool realUploader = false)
    {
        var units = await AccessUnitsAsync();
        var hooks = new AgentHooks
        {
            CreateSource = (device, _) => source?.Invoke(device) ?? new LoopingSource(units),
            RestartBackoff = TimeSpan.FromMilliseconds(50),
        };
        return realUploader ? hooks : hooks with { CreateUploader = (_, _, _, _, _) => new IdleUploader() };
    }

    private static List<byte[]> Split(byte[] stream)
    {
        var starts = new List<int>();
        for (var i = 0; i + 3 < stream.Length; i++)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 && (stream[i + 3] & 0x1F) == 9)
            {
                starts.Add(i > 0 && stream[i - 1] == 0 ? i - 1 : i);
            }
        }

        return [.. starts.Select((start, k) => stream[start..(k + 1 < starts.Count ? starts[k + 1] : stream.Length)])];
    }
}

/// <summary>Plays access units at 30 fps, looping, stamping each with the wall clock; stops when cancelled.</summary>
internal sealed class LoopingSource(IReadOnlyList<byte[]> units, int? stopAfterFrames = null) : IVideoSource
{
    public string Description => "test H.264 320x240@30 (looped)";

    public async Task RunAsync(IAccessUnitSink sink, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / 30));
        try
        {
            for (var i = 0; stopAfterFrames is null || i < stopAfterFrames; i++)
            {
                sink.OnAccessUnit(units[i % units.Count], start + (i * 1000L / 30), AccessUnitFormat.AnnexB);
                await timer.WaitForNextTickAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped, as a camera source does when the agent stops.
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A source that cannot be opened (as a camera that is not there).</summary>
internal sealed class BrokenSource(string message) : IVideoSource
{
    public string Description => "broken";

    public Task RunAsync(IAccessUnitSink sink, CancellationToken cancellationToken) => throw new VideoSourceException(message);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Uploads nothing, so the spool keeps every fragment: what a stop leaves behind can be checked.</summary>
internal sealed class IdleUploader : IFragmentUploader
{
    public async Task RunAsync(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Reads what a spool holds after the agent closed it.</summary>
internal static class SpoolContents
{
    public static List<VideoStreams.Producer.ProducerFragment> Read(string directory)
    {
        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = directory, MaxBytes = 64L << 20 });
        var fragments = new List<VideoStreams.Producer.ProducerFragment>();
        var after = -1L;
        while (spool.TryReadNext(after, out var fragment))
        {
            fragments.Add(fragment);
            after = fragment.SequenceNumber;
        }

        return fragments;
    }
}

/// <summary>A fatal refusal by the server, as the uploader reports it.</summary>
internal sealed class RefusingUploader(int status, string type) : IFragmentUploader
{
    public Task RunAsync(CancellationToken cancellationToken) => throw new UploadFatalException(status, type, "refused for the test");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
