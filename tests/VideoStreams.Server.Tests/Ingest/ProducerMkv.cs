using System.Buffers;
using System.Diagnostics;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>A coded frame of the test video: its time from the start of its group of pictures, in ms.</summary>
internal sealed record SourceFrame(long OffsetMs, bool IsKeyframe, byte[] Data);

/// <summary>
/// Real H.264 (ffmpeg, 160x120, 10 fps, one keyframe a second) cut into groups of pictures, so tests can write any
/// stream layout around real frames: see <see cref="ProducerMkv"/>.
/// </summary>
internal static class TestVideo
{
    private static readonly Lazy<(MatroskaTrack Track, List<List<SourceFrame>> Gops)> Source = new(Encode);

    /// <summary>The H.264 track (V_MPEG4/ISO/AVC with its avcC CodecPrivate), number 1.</summary>
    public static MatroskaTrack Track => Source.Value.Track;

    /// <summary>Eight one-second groups of pictures, ten frames each, the first a keyframe.</summary>
    public static IReadOnlyList<IReadOnlyList<SourceFrame>> Gops => Source.Value.Gops;

    private static (MatroskaTrack, List<List<SourceFrame>>) Encode()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-ingest-src-{Guid.NewGuid():N}.mkv");
        try
        {
            using (var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
                $"-v error -f lavfi -i testsrc2=size=160x120:rate=10 -t 8 -c:v libx264 -bf 0 -g 10 -keyint_min 10 -sc_threshold 0 -f matroska -y {path}")
            { RedirectStandardError = true })!)
            {
                var error = ffmpeg.StandardError.ReadToEnd();
                ffmpeg.WaitForExit();
                Assert.True(ffmpeg.ExitCode == 0, error);
            }

            MatroskaTrack? track = null;
            var gops = new List<List<SourceFrame>>();
            long gopStart = 0;
            new MatroskaReader().ReadAll(File.ReadAllBytes(path), (MatroskaReader r, in MatroskaEvent e) =>
            {
                if (e.Kind == MatroskaEventKind.Tracks)
                {
                    track = r.Tracks.Single();
                }
                else if (e.Kind == MatroskaEventKind.Frame)
                {
                    if (e.Frame.IsKeyframe)
                    {
                        gops.Add([]);
                        gopStart = e.Frame.Timestamp;
                    }

                    gops[^1].Add(new SourceFrame(e.Frame.Timestamp - gopStart, e.Frame.IsKeyframe, e.Frame.Data.ToArray()));
                }
            });
            Assert.Equal("V_MPEG4/ISO/AVC", track!.CodecId);
            Assert.False(track.CodecPrivate.IsEmpty);
            Assert.Equal(8, gops.Count);
            return (track with { Number = 1, Uid = 1 }, gops);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>
/// Writes a PutMedia body in the KVS producer layout with our Matroska writer: EBML header, Segment of unknown size,
/// Info (1 ms ticks), Tracks, then per fragment optional Tags and one Cluster of the test video's frames. Options
/// make the bad cases: oversized or overlong clusters, blocks for undeclared tracks.
/// </summary>
internal sealed class ProducerMkv : IDisposable
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly MatroskaWriter _writer;
    private readonly MatroskaSegmentInfo _info;
    private readonly IReadOnlyList<MatroskaTrack> _tracks;
    private readonly List<int> _clusterStarts = [];

    public ProducerMkv(IReadOnlyList<MatroskaTrack>? tracks = null, EbmlHeader? ebml = null, MatroskaSegmentInfo? info = null)
    {
        _info = info ?? new MatroskaSegmentInfo { TimestampScale = 1_000_000 };
        _tracks = tracks ?? [TestVideo.Track];
        _writer = new MatroskaWriter(_output);
        _writer.WriteHeader(_info, _tracks, ebml);
    }

    /// <summary>Offsets where each cluster begins (to cut a body mid-fragment).</summary>
    public IReadOnlyList<int> ClusterStarts => _clusterStarts;

    public int Length => _output.WrittenCount;

    public byte[] ToArray() => _output.WrittenSpan.ToArray();

    /// <summary>Fragment metadata for the next cluster: a Tags element of SimpleTags (name, value), as the producer SDK sends it.</summary>
    public ProducerMkv Tags(params (string Name, string Value)[] tags)
    {
        _writer.WriteTags([new MatroskaTag([], [.. tags.Select(t => new MatroskaSimpleTag(t.Name, t.Value))])]);
        return this;
    }

    /// <summary>One cluster of the test video's frames.</summary>
    /// <param name="timecode">Cluster timecode, ms.</param>
    /// <param name="gop">Which group of pictures (modulo their count).</param>
    /// <param name="unknownSize">Stream it with an unknown size, as the producer SDK does (else sized, as ffmpeg does).</param>
    /// <param name="stretch">Multiplies every frame's offset (3 makes a 1 s group last about 3 s).</param>
    /// <param name="keyframePadding">Bytes appended to the keyframe (an oversized fragment).</param>
    /// <param name="strayTrack">Also writes one block for this track number, which Tracks does not declare.</param>
    public ProducerMkv Cluster(long timecode, int gop = 0, bool unknownSize = false, int stretch = 1, int keyframePadding = 0, ulong? strayTrack = null)
    {
        _clusterStarts.Add(_output.WrittenCount);
        var frames = TestVideo.Gops[gop % TestVideo.Gops.Count]
            .Select(f => new MatroskaFrame(1, timecode + (f.OffsetMs * stretch), f.IsKeyframe,
                f.IsKeyframe && keyframePadding > 0 ? (ReadOnlyMemory<byte>)f.Data.Concat(new byte[keyframePadding]).ToArray() : f.Data))
            .ToList();
        if (strayTrack is { } stray)
        {
            // Our writer refuses undeclared tracks, so this cluster comes from a second writer whose header (thrown
            // away) declares the stray track too.
            frames.Insert(frames.Count / 2, new MatroskaFrame(stray, frames[frames.Count / 2].Timestamp, false, new byte[] { 0, 0, 0, 1, 0x09 }));
            var scratch = new ArrayBufferWriter<byte>();
            using var other = new MatroskaWriter(scratch);
            other.WriteHeader(_info, [.. _tracks, _tracks[0] with { Number = stray, Uid = stray }]);
            var headerLength = scratch.WrittenCount;
            other.WriteCluster(timecode, frames.ToArray());
            _output.Write(scratch.WrittenSpan[headerLength..]);
            return this;
        }

        if (unknownSize)
        {
            _writer.BeginCluster(timecode);
            foreach (var frame in frames)
            {
                _writer.WriteFrame(frame);
            }

            _writer.EndCluster();
        }
        else
        {
            _writer.WriteCluster(timecode, frames.ToArray());
        }

        return this;
    }

    /// <summary>A body of <paramref name="count"/> one-second clusters from <paramref name="firstTimecode"/>.</summary>
    public static byte[] Clusters(int count, long firstTimecode = 0)
    {
        using var mkv = new ProducerMkv();
        for (var i = 0; i < count; i++)
        {
            mkv.Cluster(firstTimecode + (i * 1000L), i);
        }

        return mkv.ToArray();
    }

    public void Dispose() => _writer.Dispose();
}
