using VideoStreams.Media.Matroska;
using VideoStreams.Server.Live;

namespace VideoStreams.Server.Tests.Live;

/// <summary>
/// The hub's own bookkeeping, driven directly through Publish/PublishFrame/Subscribe: the retention-0 buffer's bounds
/// (KVS's host buffer: 5 min or 200 MB, here scaled down) and the frame arena's copies.
/// </summary>
public sealed class LiveHubBufferTests
{
    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly LiveSession Session = new(1, new MatroskaSegmentInfo(), [new MatroskaTrack { Number = 1, Uid = 1, Type = MatroskaTrackType.Video, CodecId = "V_MPEG4/ISO/AVC" }]);

    private static LiveEvent Received(long number, long serverMs, int bytes) =>
        new(LiveEventKind.FragmentReceived, Session, Fragment: new LiveFragment(number, serverMs, serverMs, 1000, new byte[bytes]));

    [Fact]
    public void A_retention_0_streams_buffer_keeps_the_newest_fragments_within_its_byte_and_time_bounds()
    {
        var time = new ManualTime(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var hub = new LiveHub(options: new LiveOptions { RecentBytes = 3_000, RecentWindow = TimeSpan.FromSeconds(10) }, time: time);
        var now = time.Now.ToUnixTimeMilliseconds();
        var numbers = Enumerable.Range(0, 5).Select(_ => hub.NextVolatileNumber()).ToList();
        for (var i = 0; i < numbers.Count; i++)
        {
            hub.Publish(7, Received(numbers[i], now + (i * 1000), 1_000));
        }

        using (var sub = hub.Subscribe(7, recent: true))
        {
            // 3,000 bytes: the three newest, oldest first.
            Assert.Equal(numbers[2..], sub.Recent.Select(e => e.Fragment!.Number));
        }

        time.Now = time.Now.AddSeconds(14.5); // fragment 3 ended at +4 s, fragment 4 at +5 s: only 4 ended within the last 10 s
        using (var later = hub.Subscribe(7, recent: true))
        {
            Assert.Equal([numbers[4]], later.Recent.Select(e => e.Fragment!.Number));
        }

        using var plain = hub.Subscribe(7);
        Assert.Empty(plain.Recent);
        Assert.All(numbers, n => Assert.True(LiveHub.IsVolatile(n)));
    }

    [Fact]
    public void Stored_fragments_never_enter_the_retention_0_buffer()
    {
        var hub = new LiveHub();
        hub.Publish(8, Received(42, 1_800_000_000_000, 100));
        using var sub = hub.Subscribe(8, recent: true);
        Assert.Empty(sub.Recent);
    }

    [Fact]
    public void Frames_are_copied_only_for_subscribers_that_take_them_and_stay_intact_when_the_source_is_reused()
    {
        var hub = new LiveHub();
        using var fragmentsOnly = hub.Subscribe(9, frames: false);
        var source = new byte[LiveFrameArena.BlockSize];
        Random.Shared.NextBytes(source);
        hub.PublishFrame(9, Session, new MatroskaFrame(1, 0, true, source.AsMemory(0, 100)), 0);
        Assert.False(hub.HasFrameSubscribers(9));
        Assert.False(fragmentsOnly.Reader.TryRead(out _));

        using var frames = hub.Subscribe(9);
        Assert.True(hub.HasFrameSubscribers(9));
        var expected = new List<byte[]>();
        var sizes = new[] { 100, 5_000, LiveFrameArena.LargestPacked + 1, 300, 16_000, 16_000, 16_000, 16_000, 40 };
        for (var i = 0; i < sizes.Length; i++)
        {
            Random.Shared.NextBytes(source); // the ingest buffer is reused: published frames must not change with it
            var data = source.AsMemory(0, sizes[i]);
            expected.Add(data.ToArray());
            hub.PublishFrame(9, Session, new MatroskaFrame(1, i, i == 0, data), 0);
        }

        Random.Shared.NextBytes(source);
        var got = new List<byte[]>();
        while (frames.Reader.TryRead(out var ev))
        {
            Assert.Equal(LiveEventKind.Frame, ev.Kind);
            got.Add(ev.Frame!.Data.ToArray());
        }

        Assert.Equal(expected, got);
        Assert.False(fragmentsOnly.Reader.TryRead(out _));
        frames.Dispose();
        Assert.False(hub.HasFrameSubscribers(9));
    }
}
