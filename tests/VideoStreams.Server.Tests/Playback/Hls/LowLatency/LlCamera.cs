using System.Buffers;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Tests.Ingest;

namespace VideoStreams.Server.Tests.Playback.Hls.LowLatency;

/// <summary>
/// A camera that sends each frame as it is captured, as the KVS producer SDK does: one PutMedia, unknown-size clusters
/// of the test video's real H.264 frames (10 fps, a keyframe a second), each frame its own HTTP chunk, paced so the
/// server sees a fragment's frames one after the other before the fragment completes.
/// </summary>
internal sealed class LlCamera : IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly MatroskaWriter _writer;
    private int _sent;
    private long _nextTimecode;
    private int _fragments;

    private LlCamera(RawPutMedia putMedia)
    {
        PutMedia = putMedia;
        _writer = new MatroskaWriter(_buffer);
        _writer.WriteHeader(new MatroskaSegmentInfo { TimestampScale = 1_000_000 }, [TestVideo.Track]);
    }

    public RawPutMedia PutMedia { get; }

    /// <summary>Fragments begun so far.</summary>
    public int Fragments => _fragments;

    public static async Task<LlCamera> StartAsync(Uri baseUrl, string stream, long startMs = PutMediaClient.StartMs)
    {
        var camera = new LlCamera(await RawPutMedia.StartAsync(baseUrl, stream, startMs));
        await camera.FlushAsync();
        return camera;
    }

    /// <summary>
    /// Sends one one-second fragment frame by frame (<paramref name="frameDelay"/> between frames). The fragment
    /// completes on the server when the next cluster begins (unknown size), or at <see cref="EndAsync"/>.
    /// </summary>
    public async Task SendFragmentAsync(TimeSpan frameDelay, int? stopAfterFrames = null)
    {
        var gop = TestVideo.Gops[_fragments % TestVideo.Gops.Count];
        if (_writer.InCluster)
        {
            _writer.EndCluster();
        }

        _writer.BeginCluster(_nextTimecode);
        var count = 0;
        foreach (var frame in gop)
        {
            if (stopAfterFrames is { } stop && count == stop)
            {
                break;
            }

            _writer.WriteFrame(new MatroskaFrame(1, _nextTimecode + frame.OffsetMs, frame.IsKeyframe, frame.Data));
            await FlushAsync();
            count++;
            if (frameDelay > TimeSpan.Zero)
            {
                await Task.Delay(frameDelay);
            }
        }

        _nextTimecode += 1000;
        _fragments++;
    }

    /// <summary>
    /// Sends a fragment the server rejects while it is in progress: <paramref name="goodFrames"/> frames, then one 12 s
    /// after the cluster start (over the 10 s fragment limit: ERROR ack, the rest of the cluster is skipped).
    /// </summary>
    public async Task SendRejectedFragmentAsync(int goodFrames)
    {
        var gop = TestVideo.Gops[_fragments % TestVideo.Gops.Count];
        if (_writer.InCluster)
        {
            _writer.EndCluster();
        }

        _writer.BeginCluster(_nextTimecode);
        foreach (var frame in gop.Take(goodFrames))
        {
            _writer.WriteFrame(new MatroskaFrame(1, _nextTimecode + frame.OffsetMs, frame.IsKeyframe, frame.Data));
            await FlushAsync();
        }

        _writer.WriteFrame(new MatroskaFrame(1, _nextTimecode + 12_000, false, gop[goodFrames].Data));
        await FlushAsync();
        _nextTimecode += 13_000;
        _fragments++;
    }

    /// <summary>Closes the body (the last fragment completes) and reads the answer.</summary>
    public async Task<PutMediaAnswer> EndAsync()
    {
        if (_writer.InCluster)
        {
            _writer.EndCluster();
        }

        return await PutMedia.FinishAsync(TimeSpan.FromSeconds(30));
    }

    private async Task FlushAsync()
    {
        var bytes = _buffer.WrittenMemory[_sent..];
        if (bytes.Length > 0)
        {
            await PutMedia.WriteAsync(bytes);
        }

        _sent = _buffer.WrittenCount;
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        await PutMedia.DisposeAsync();
    }
}
