using System.Buffers;
using VideoStreams.Media.Remux;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

public sealed class Mp4RemuxPlanTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task File_and_memory_writers_produce_the_same_bytes(bool mapSource)
    {
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac));
        var plan = Mp4Remuxer.Plan(mkv);
        var inMemory = new ArrayBufferWriter<byte>();
        plan.WriteTo(mkv, inMemory);
        using var source = File.OpenHandle(Samples.PathOf(Samples.Main360p30Aac));
        var path = Path.Combine(Path.GetTempPath(), $"vs-plan-{Guid.NewGuid():N}.mp4");
        try
        {
            using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
            {
                // Written after 100 bytes of something else: the offset is honoured.
                RandomAccess.Write(file, new byte[100], 0);
                plan.WriteTo(source, file, 100, mapSource);
            }

            Assert.Equal(plan.Layout.FileSize, inMemory.WrittenCount);
            Assert.True(inMemory.WrittenSpan.SequenceEqual(File.ReadAllBytes(path).AsSpan(100)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_source_cut_short_after_planning_is_a_format_error_not_a_crash(bool mapSource)
    {
        // Planned from the whole file, written from a copy that lost its last 100 kB (another process truncated it):
        // a mapped window must never touch pages past the end (that would be SIGBUS, not an exception).
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.High720p30Aac));
        var plan = Mp4Remuxer.Plan(mkv);
        var folder = Directory.CreateTempSubdirectory("vs-plan-");
        try
        {
            var shorter = Path.Combine(folder.FullName, "short.mkv");
            await File.WriteAllBytesAsync(shorter, mkv.AsMemory(0, mkv.Length - 100_000));
            using var source = File.OpenHandle(shorter);
            using var file = File.OpenHandle(Path.Combine(folder.FullName, "out.mp4"), FileMode.CreateNew, FileAccess.Write);
            var error = Assert.Throws<MediaFormatException>(() => plan.WriteTo(source, file, 0, mapSource));
            Assert.Equal(MediaFormatError.Truncated, error.Error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Any_byte_range_can_be_served_from_the_source_without_the_bytes_before_it()
    {
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.High720p30Aac));
        var plan = Mp4Remuxer.Plan(mkv);
        var whole = new ArrayBufferWriter<byte>();
        plan.WriteTo(mkv, whole);
        var random = new Random(42);

        for (var round = 0; round < 200; round++)
        {
            var start = random.NextInt64(plan.Layout.FileSize);
            var length = Math.Min(plan.Layout.FileSize - start, random.NextInt64(1, 300_000));
            var served = new List<byte>();
            foreach (var piece in plan.Layout.MapRange(start, length))
            {
                served.AddRange(piece.IsHeader
                    ? plan.Layout.Header.Span.Slice(piece.SourceOffset, piece.Length).ToArray()
                    : mkv.AsSpan((int)plan.SourceOffset(piece.TrackIndex, piece.SampleIndex) + piece.SourceOffset, piece.Length).ToArray());
            }

            Assert.True(whole.WrittenSpan.Slice((int)start, (int)length).SequenceEqual(served.ToArray()), $"range {start}+{length}");
        }
    }

    [Fact]
    public async Task A_later_track_keeps_its_start_through_an_empty_edit_and_b_frames_get_negative_offsets()
    {
        // In the 720p sample audio starts at 0 and video at 21 ms.
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.High720p30Aac));
        var plan = Mp4Remuxer.Plan(mkv);
        var output = new ArrayBufferWriter<byte>();
        plan.WriteTo(mkv, output);

        var parsed = Mp4.ParsedMp4.Parse(output.WrittenMemory);
        var video = parsed.Tracks.Single(t => t.Handler == "vide");
        var audio = parsed.Tracks.Single(t => t.Handler == "soun");
        Assert.Equal([-1L, 0L], video.Edits.Select(e => e.MediaTime));
        Assert.Equal(21, video.Edits[0].SegmentDuration);
        Assert.Empty(audio.Edits);
        Assert.Equal(0, video.Samples[0].CompositionOffset);
        Assert.Contains(video.Samples, s => s.CompositionOffset < 0);
        Assert.Equal(1, video.CttsVersion);
    }
}
