using System.Diagnostics;
using System.Text;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Tests.Fragmenting;
using VideoStreams.Producer.Tests.Sources;
using VideoStreams.Producer.Tests.Spool;
using VideoStreams.Producer.Upload;
using Xunit.Abstractions;

namespace VideoStreams.Producer.Tests.Upload;

/// <summary>
/// The per-frame path of frames as captured — fragmenter, live feed, the uploader's copy and chunked write — allocates
/// nothing per frame once warm. Measured process-wide (the uploader runs on pool threads) in the collection that runs
/// alone, against a connection that answers 200 and swallows the body, so only the producer's own work is counted.
/// </summary>
[Collection(nameof(SourceAllocationTests))]
public sealed class FramesAsCapturedAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sending_frames_as_captured_does_not_allocate_per_frame_in_steady_state()
    {
        // Two 10 s GOPs: the first fragment grows every pooled buffer to a fragment's size, frames of the second are
        // measured, all in the middle of it (the cut's own allocations are per fragment, not per frame).
        var units = await H264TestStreams.EncodeAsync(frames: 600, gop: 300);
        using var folder = new TempFolder();
        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder.Path, SyncMode = SpoolSyncMode.None });
        using var fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(10), FramesAsCaptured = true });
        using var feed = new LiveFragmentFeed();
        var connection = new SwallowingConnection();
        var options = new UploaderOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9/"),
            StreamName = "allocation-test",
            StallTimeout = TimeSpan.FromMinutes(10),
        };
        await using var uploader = new PutMediaUploader(options, spool, (_, _) => ValueTask.FromResult<Stream>(connection), framesAsCaptured: feed);
        using var stop = new CancellationTokenSource();
        var running = uploader.RunAsync(stop.Token);

        var next = 0;
        void CaptureOne()
        {
            var writes = connection.Writes;
            if (fragmenter.Add(units[next], H264TestStreams.TimestampOf(next)) is { } completed)
            {
                Assert.Equal(SpoolAppendStatus.Appended, spool.Append(completed).Status);
            }

            next++;
            feed.Publish(fragmenter);
            // Until the uploader has written this frame (one framed chunk per frame when it keeps up, as here).
            var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
            while (connection.Writes == writes)
            {
                Assert.True(Stopwatch.GetTimestamp() < deadline, "the uploader did not write the frame");
                Thread.Yield();
            }
        }

        for (var i = 0; i < 320; i++)
        {
            CaptureOne();
        }

        // Three measured stretches, the least judged: a per-frame allocation shows in every one, while the runtime's own
        // one-off work (tiering, a timer of the uploader's monitor) can land in any single one.
        const int Frames = 90;
        var least = long.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Frames; i++)
            {
                CaptureOne();
            }

            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            output.WriteLine($"pass {pass}: {allocated} bytes for {Frames} frames");
            least = Math.Min(least, allocated);
        }

        await stop.CancelAsync();
        connection.EndResponse();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(uploader.FragmentsSentAsCaptured == 1 && fragmenter.IsFragmentOpen, "the second fragment was still in progress");
        Assert.True(least < Frames * 16, $"{least} bytes allocated for {Frames} frames in the best of three stretches");
    }

    /// <summary>A PutMedia connection that answers 200 (chunked, no acks yet) and counts, then drops, what is written.</summary>
    private sealed class SwallowingConnection : Stream
    {
        private readonly byte[] _head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _headRead;
        private long _writes;

        public long Writes => Interlocked.Read(ref _writes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void EndResponse() => _closed.TrySetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _headRead, 1) == 0)
            {
                _head.CopyTo(buffer);
                return _head.Length;
            }

            await _closed.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Interlocked.Increment(ref _writes);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            return ValueTask.CompletedTask;
        }
    }
}
