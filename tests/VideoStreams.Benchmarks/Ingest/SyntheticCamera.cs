using System.Buffers;
using VideoStreams.Media.Ebml;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>
/// A synthetic camera's live MKV: the EBML header, a Segment of unknown size, Info and the H.264 video track of
/// media-samples/live-high-1280x720-30fps-aac.mkv, then clusters of <c>fps</c> frames each (a keyframe of a fifth
/// of the cluster first, then equal P-frames of random bytes), <c>clusterMs</c> apart. Clusters have a known size, as
/// ffmpeg's live output does, so the server sees a fragment end with its last frame (an unknown-size cluster only ends
/// when the next one starts, a frame interval later). Frame timestamps are relative to their cluster, so the
/// SimpleBlocks are the same bytes in every cluster: only the cluster header (size and Timestamp) is written per
/// cluster, and a generator sends the shared blocks.
/// </summary>
internal sealed class SyntheticCamera
{
    public SyntheticCamera(int clusterBytes, int fps = 30, int clusterMs = 1000, int seed = 1)
    {
        Fps = fps;
        ClusterMs = clusterMs;
        var (info, tracks) = SampleTrack();
        var header = new ArrayBufferWriter<byte>();
        using (var writer = new MatroskaWriter(header))
        {
            writer.WriteHeader(info, tracks);
        }

        Header = header.WrittenMemory.ToArray();

        var random = new Random(seed);
        var keyframe = clusterBytes / 5;
        var other = Math.Max(64, (clusterBytes - keyframe) / Math.Max(1, fps - 1));
        Blocks = new byte[fps][];
        for (var j = 0; j < fps; j++)
        {
            var data = new byte[j == 0 ? keyframe : other];
            random.NextBytes(data);
            var payload = (ulong)(1 + 3 + data.Length);
            var block = new ArrayBufferWriter<byte>(data.Length + 16);
            EbmlWriter.WriteElementHeader(block, MatroskaIds.SimpleBlock, payload);
            var span = block.GetSpan(4);
            span[0] = 0x81; // track 1 as a one-byte vint
            var offset = (short)(j * clusterMs / fps);
            span[1] = (byte)(offset >> 8);
            span[2] = (byte)offset;
            span[3] = (byte)(j == 0 ? 0x80 : 0); // keyframe flag
            block.Advance(4);
            block.Write(data);
            Blocks[j] = block.WrittenMemory.ToArray();
            BlocksLength += Blocks[j].Length;
        }
    }

    public int Fps { get; }

    public int ClusterMs { get; }

    /// <summary>EBML header, Segment (unknown size), Info, Tracks: the start of every PutMedia body.</summary>
    public byte[] Header { get; }

    /// <summary>The cluster's SimpleBlock elements, frame j at j × clusterMs / fps ms into the cluster.</summary>
    public byte[][] Blocks { get; }

    public long BlocksLength { get; }

    /// <summary>Writes cluster <paramref name="index"/>'s header (Cluster id, size, Timestamp) and returns its length.</summary>
    public int WriteClusterHeader(long index, Span<byte> destination)
    {
        var timestamp = (ulong)(index * ClusterMs);
        var stamp = EbmlWriter.ElementLength(MatroskaIds.Timestamp, (ulong)EbmlWriter.UIntLength(timestamp));
        var length = EbmlWriter.WriteId(destination, MatroskaIds.Cluster);
        length += EbmlWriter.WriteSize(destination[length..], (ulong)(stamp + BlocksLength));
        length += EbmlWriter.WriteId(destination[length..], MatroskaIds.Timestamp);
        var width = EbmlWriter.UIntLength(timestamp);
        length += EbmlWriter.WriteSize(destination[length..], (ulong)width);
        for (var i = width - 1; i >= 0; i--)
        {
            destination[length++] = (byte)(timestamp >> (8 * i));
        }

        return length;
    }

    /// <summary>The whole length of cluster <paramref name="index"/>.</summary>
    public long ClusterLength(long index)
    {
        Span<byte> scratch = stackalloc byte[32];
        return WriteClusterHeader(index, scratch) + BlocksLength;
    }

    /// <summary>Writes the header and <paramref name="clusters"/> clusters to a file; returns each cluster's end offset.</summary>
    public long[] WriteFile(string path, int clusters)
    {
        var ends = new long[clusters];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write(Header);
        var scratch = new byte[32];
        for (var k = 0; k < clusters; k++)
        {
            file.Write(scratch, 0, WriteClusterHeader(k, scratch));
            foreach (var block in Blocks)
            {
                file.Write(block);
            }

            ends[k] = file.Position;
        }

        return ends;
    }

    /// <summary>Each cluster's end offset in a file written by <see cref="WriteFile"/>.</summary>
    public long[] ClusterEnds(int clusters)
    {
        var ends = new long[clusters];
        long at = Header.Length;
        for (var k = 0; k < clusters; k++)
        {
            at += ClusterLength(k);
            ends[k] = at;
        }

        return ends;
    }

    private static (MatroskaSegmentInfo, IReadOnlyList<MatroskaTrack>) SampleTrack()
    {
        var path = Path.Combine(RepositoryRoot(), "media-samples", "live-high-1280x720-30fps-aac.mkv");
        MatroskaTrack? video = null;
        new MatroskaReader().ReadAll(File.ReadAllBytes(path), (reader, in ev) =>
        {
            if (ev.Kind == MatroskaEventKind.Tracks)
            {
                video = reader.Tracks.First(t => t.Type == MatroskaTrackType.Video);
            }
        });
        var info = new MatroskaSegmentInfo { MuxingApp = "ingest-bench", WritingApp = "ingest-bench" };
        return (info, [video! with { Number = 1, Uid = 1 }]);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VideoStreams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the repository (VideoStreams.sln not found above the binary)");
    }
}
