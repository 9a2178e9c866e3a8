using System.Buffers;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

public sealed partial class MatroskaWriter
{
    // Deeper nesting than any tag needs; bounds the recursion.
    private const int MaxSimpleTagDepth = 8;

    /// <summary>
    /// Writes a Segment-level Tags element (KVS puts its AWS_KINESISVIDEO_* tags right before and after a cluster).
    /// Nothing is written for an empty list.
    /// </summary>
    /// <exception cref="ArgumentException">A tag has no name, or simple tags nest too deep.</exception>
    /// <exception cref="InvalidOperationException">No header yet, or a streamed cluster is open.</exception>
    public void WriteTags(IReadOnlyList<MatroskaTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ThrowIfNoHeader();
        ThrowIfInCluster();
        if (tags.Count == 0)
        {
            return;
        }

        CheckTags(tags);
        var b = Scratch();
        var master = b.BeginMaster(MatroskaIds.Tags);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            var tagMaster = b.BeginMaster(MatroskaIds.Tag);
            var targets = b.BeginMaster(MatroskaIds.Targets);
            EbmlWriter.WriteUInt(b, MatroskaIds.TargetTypeValue, tag.TargetTypeValue);
            for (var t = 0; t < tag.TrackUids.Count; t++)
            {
                EbmlWriter.WriteUInt(b, MatroskaIds.TagTrackUid, tag.TrackUids[t]);
            }

            b.EndMaster(targets);
            for (var s = 0; s < tag.SimpleTags.Count; s++)
            {
                WriteSimpleTag(b, tag.SimpleTags[s]);
            }

            b.EndMaster(tagMaster);
        }

        b.EndMaster(master);
        BytesWritten += b.CopyTo(_output);
    }

    private static bool DeclaresTrack(IReadOnlyList<MatroskaTrack> tracks, ulong number)
    {
        for (var i = 0; i < tracks.Count; i++)
        {
            if (tracks[i]?.Number == number)
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckTags(IReadOnlyList<MatroskaTag> tags)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i] ?? throw new ArgumentException($"Tag {i} is null.", nameof(tags));
            for (var s = 0; s < tag.SimpleTags.Count; s++)
            {
                CheckSimpleTag(tag.SimpleTags[s], 1);
            }
        }
    }

    private static void CheckSimpleTag(MatroskaSimpleTag simpleTag, int depth)
    {
        if (simpleTag is null || string.IsNullOrEmpty(simpleTag.Name))
        {
            throw new ArgumentException("A SimpleTag needs a name.", nameof(simpleTag));
        }

        if (depth > MaxSimpleTagDepth)
        {
            throw new ArgumentException($"SimpleTags nest deeper than {MaxSimpleTagDepth}.", nameof(simpleTag));
        }

        for (var i = 0; i < simpleTag.Children.Count; i++)
        {
            CheckSimpleTag(simpleTag.Children[i], depth + 1);
        }
    }

    private static void WriteSimpleTag(EbmlWriterBuffer b, MatroskaSimpleTag simpleTag)
    {
        var master = b.BeginMaster(MatroskaIds.SimpleTag);
        EbmlWriter.WriteString(b, MatroskaIds.TagName, simpleTag.Name);
        if (simpleTag.Value is { } value)
        {
            EbmlWriter.WriteString(b, MatroskaIds.TagString, value);
        }
        else if (!simpleTag.Binary.IsEmpty)
        {
            EbmlWriter.WriteBinary(b, MatroskaIds.TagBinary, simpleTag.Binary.Span);
        }

        for (var i = 0; i < simpleTag.Children.Count; i++)
        {
            WriteSimpleTag(b, simpleTag.Children[i]);
        }

        b.EndMaster(master);
    }

    /// <summary>
    /// Writes one complete MKV document, as GetMedia sends per fragment: EBML header, Segment (unknown size), Info,
    /// Tracks, <paramref name="tagsBefore"/>, one sized Cluster, <paramref name="tagsAfter"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A track, tag or frame is not writable (see <see cref="WriteCluster"/>).</exception>
    public static void WriteChunk(
        IBufferWriter<byte> output,
        MatroskaSegmentInfo info,
        IReadOnlyList<MatroskaTrack> tracks,
        IReadOnlyList<MatroskaTag> tagsBefore,
        long clusterTimestamp,
        ReadOnlySpan<MatroskaFrame> frames,
        IReadOnlyList<MatroskaTag> tagsAfter)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(tagsBefore);
        ArgumentNullException.ThrowIfNull(tagsAfter);

        ArgumentOutOfRangeException.ThrowIfNegative(clusterTimestamp);

        // Check what comes after the header up front, so a refused chunk leaves nothing half-written.
        CheckTags(tagsAfter);
        for (var i = 0; i < frames.Length; i++)
        {
            if (!DeclaresTrack(tracks, frames[i].TrackNumber) || frames[i].Timestamp - clusterTimestamp is < short.MinValue or > short.MaxValue)
            {
                throw new ArgumentException($"Frame {i} is for an undeclared track or more than a 16-bit offset from the cluster.", nameof(frames));
            }
        }

        using var writer = new MatroskaWriter(output);
        writer.WriteHeader(info, tracks);
        writer.WriteTags(tagsBefore);
        writer.WriteCluster(clusterTimestamp, frames);
        writer.WriteTags(tagsAfter);
    }
}
