using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using VideoStreams.Agent.Observability;
using VideoStreams.Agent.Runtime;
using VideoStreams.Media.H264;
using VideoStreams.Media.Matroska;
using VideoStreams.Producer;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Tests.Fragmenting;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>
/// A camera driven by the test, one frame per call: real libx264 access units through the agent's own
/// <see cref="SpoolingSink"/> (fragmenter with frames as captured → spool → live feed), so the test decides exactly how
/// much of a fragment has been captured when it looks at the server.
/// </summary>
internal sealed class LiveCamera : IDisposable
{
    private readonly IReadOnlyList<byte[]> _units;
    private readonly long _originMs;
    private readonly Fragmenter _fragmenter;
    private readonly SpoolingSink _sink;
    private readonly TestMeters _meters = new();

    private LiveCamera(IReadOnlyList<byte[]> units, FragmentSpool spool, long originMs)
    {
        _units = units;
        _originMs = originMs;
        _fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1), FrameRate = 30, FramesAsCaptured = true });
        Feed = new LiveFragmentFeed();
        _sink = new SpoolingSink("test-camera", _fragmenter, spool, Feed, NullLogger.Instance, new AgentMetrics(_meters));
    }

    /// <summary>Frames per fragment: a key frame every 30 frames and 1 s fragments at 30 fps.</summary>
    public const int FramesPerFragment = 30;

    public LiveFragmentFeed Feed { get; }

    /// <summary>Frames captured so far.</summary>
    public int Captured { get; private set; }

    /// <summary>The index of the frame the fragment in progress started with (a multiple of 30).</summary>
    public int FragmentStartFrame => Captured == 0 ? 0 : (Captured - 1) / FramesPerFragment * FramesPerFragment;

    /// <summary>A camera with <paramref name="seconds"/> s of 320x240 30 fps H.264 to capture (a key frame every second).</summary>
    public static async Task<LiveCamera> CreateAsync(FragmentSpool spool, int seconds, long originMs = UploadTestKit.OriginMs) =>
        new(await H264TestStreams.EncodeAsync(frames: (seconds * FramesPerFragment) + 1), spool, originMs);

    /// <summary>Capture time (epoch ms) of frame <paramref name="index"/>.</summary>
    public long TimestampOf(int index) => _originMs + (index * 1000L / 30);

    /// <summary>Captures the next <paramref name="frames"/> frames (no pacing: the test is the clock).</summary>
    public void Capture(int frames)
    {
        for (var i = 0; i < frames; i++)
        {
            var index = Captured++;
            _sink.OnAccessUnit(_units[index], TimestampOf(index), AccessUnitFormat.AnnexB);
        }
    }

    /// <summary>Captures up to and including the first frame of fragment <paramref name="fragment"/> (0-based).</summary>
    public void CaptureUntilFragment(int fragment) => Capture((fragment * FramesPerFragment) + 1 - Captured);

    /// <summary>Ends the fragment in progress into the spool (what the agent does when the source stops).</summary>
    public void Stop() => _sink.Flush();

    /// <summary>Every frame captured so far, as the server should store it: (capture ms, AVCC bytes).</summary>
    public List<(long Ms, byte[] Data)> CapturedFrames()
    {
        var frames = new List<(long, byte[])>();
        for (var i = 0; i < Captured; i++)
        {
            var avcc = new byte[H264Nal.GetAvccSize(_units[i], 4)];
            H264Nal.AnnexBToAvcc(_units[i], avcc, 4);
            frames.Add((TimestampOf(i), avcc));
        }

        return frames;
    }

    /// <summary>The fragments captured so far, as the spool got them (the same fragmenter run again on the same frames).</summary>
    public List<ProducerFragment> Fragments()
    {
        using var fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1), FrameRate = 30, FramesAsCaptured = true });
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < Captured; i++)
        {
            if (fragmenter.Add(_units[i], TimestampOf(i), AccessUnitFormat.AnnexB) is { } fragment)
            {
                fragments.Add(fragment);
            }
        }

        if (fragmenter.Flush() is { } last)
        {
            fragments.Add(last);
        }

        return fragments;
    }

    public void Dispose()
    {
        _fragmenter.Dispose();
        Feed.Dispose();
        _meters.Dispose();
    }

    private sealed class TestMeters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}

/// <summary>A connector for the uploader that keeps a copy of every byte it sends (the PutMedia requests, as sent).</summary>
internal sealed class RecordingConnector
{
    private readonly List<MemoryStream> _requests = [];

    public Func<Uri, CancellationToken, ValueTask<Stream>> Connect => async (url, cancellationToken) =>
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(url.Host, url.Port, cancellationToken);
        var copy = new MemoryStream();
        lock (_requests)
        {
            _requests.Add(copy);
        }

        return new TeeStream(client.GetStream(), copy);
    };

    /// <summary>The bodies of the PutMedia requests made so far, de-chunked.</summary>
    public List<byte[]> Bodies()
    {
        lock (_requests)
        {
            return [.. _requests.Select(r => Dechunk(CopyOf(r)))];
        }
    }

    private static byte[] CopyOf(MemoryStream stream)
    {
        lock (stream)
        {
            return stream.ToArray();
        }
    }

    /// <summary>The body of an HTTP/1.1 request with a chunked body (whatever arrived of it).</summary>
    private static byte[] Dechunk(byte[] request)
    {
        var at = request.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var body = new MemoryStream();
        while (at > 3 && at < request.Length)
        {
            var eol = request.AsSpan(at).IndexOf("\r\n"u8);
            if (eol < 0)
            {
                break;
            }

            var size = Convert.ToInt32(System.Text.Encoding.ASCII.GetString(request, at, eol), 16);
            at += eol + 2;
            if (size == 0)
            {
                break;
            }

            body.Write(request, at, Math.Min(size, request.Length - at));
            at += size + 2;
        }

        return body.ToArray();
    }

    private sealed class TeeStream(NetworkStream inner, MemoryStream copy) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (copy)
            {
                copy.Write(buffer.Span);
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Reading MKV bytes back in tests.</summary>
internal static class MkvFrames
{
    /// <summary>Every video frame in a (whole or partial) MKV document, in order: (absolute ms, bytes).</summary>
    public static List<(long Ms, byte[] Data)> Read(ReadOnlySpan<byte> document, out int unknownSizeClusters, out int clusters)
    {
        var frames = new List<(long, byte[])>();
        var unknown = 0;
        var count = 0;
        var bytes = document.ToArray();
        new MatroskaReader().ReadAll(bytes, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.ClusterStart)
            {
                count++;
                // The size field after the 4-byte Cluster id: 0x01FFFFFFFFFFFFFF is "unknown".
                if (bytes.AsSpan((int)r.ClusterOffset + 4, 8).SequenceEqual((ReadOnlySpan<byte>)[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
                {
                    unknown++;
                }
            }
            else if (e.Kind == MatroskaEventKind.Frame && e.Frame.TrackNumber == 1)
            {
                frames.Add((e.Frame.Timestamp, e.Frame.Data.ToArray()));
            }
        });
        unknownSizeClusters = unknown;
        clusters = count;
        return frames;
    }
}
