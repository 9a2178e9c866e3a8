using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.Media.Tests.Mp4;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

public sealed class CmafSegmentOffsetTests
{
    private static CollectingSink Segment(byte[] mkv, CmafSegmenterOptions options)
    {
        var sink = new CollectingSink();
        using var segmenter = new CmafSegmenter(sink, options);
        new MatroskaReader().ReadAll(mkv, segmenter.Handle);
        segmenter.Complete();
        return sink;
    }

    [Fact]
    public void Timestamp_offset_moves_every_decode_time_by_the_offset_and_keeps_the_samples()
    {
        var mkv = File.ReadAllBytes(Samples.PathOf(Samples.Main360p30Aac));
        var plain = Segment(mkv, new CmafSegmenterOptions());
        // An epoch-millisecond start (Matroska ticks are 1 ms here): where an HLS session puts a stored fragment.
        const long OffsetMs = 1_700_000_123_456;
        var moved = Segment(mkv, new CmafSegmenterOptions { TimestampOffset = OffsetMs });

        Assert.Equal(plain.Segments.Count, moved.Segments.Count);
        for (var i = 0; i < plain.Segments.Count; i++)
        {
            var before = FragmentReader.Read(plain.Segments[i].Bytes).Single();
            var after = FragmentReader.Read(moved.Segments[i].Bytes).Single();
            var videoBefore = before.Trafs.Single(t => t.TrackId == 1);
            var videoAfter = after.Trafs.Single(t => t.TrackId == 1);
            Assert.Equal(videoBefore.BaseMediaDecodeTime + (OffsetMs * 90), videoAfter.BaseMediaDecodeTime);
            Assert.Equal(videoBefore.Samples.Select(s => (s.Duration, s.CompositionOffset, s.Size)), videoAfter.Samples.Select(s => (s.Duration, s.CompositionOffset, s.Size)));
            var audioBefore = before.Trafs.Single(t => t.TrackId == 2);
            var audioAfter = after.Trafs.Single(t => t.TrackId == 2);
            Assert.Equal(audioBefore.BaseMediaDecodeTime + (OffsetMs * 48), audioAfter.BaseMediaDecodeTime);
            Assert.Equal(plain.Segments[i].Info.StartSeconds + (OffsetMs / 1000.0), moved.Segments[i].Info.StartSeconds, 3);
        }
    }

    [Fact]
    public void First_sequence_number_numbers_the_segments_from_it()
    {
        var mkv = File.ReadAllBytes(Samples.PathOf(Samples.Main360p30Aac));

        var sink = Segment(mkv, new CmafSegmenterOptions { FirstSequenceNumber = 41 });

        Assert.Equal(Enumerable.Range(41, sink.Segments.Count).Select(n => (uint)n), sink.Segments.Select(s => s.Info.SequenceNumber));
        Assert.Equal(41u, FragmentReader.Read(sink.Segments[0].Bytes).Single().SequenceNumber);
    }
}
