using System.Buffers;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Plans a Matroska → progressive MP4 remux from input handed over piece by piece, such as stored fragments read one at
/// a time: each piece is parsed and dropped, only frame positions and times are kept (as <see cref="Mp4Remuxer"/> does
/// for a whole file). The pieces form one virtual stream; <see cref="Mp4RemuxPlan.SourceOffset"/> answers positions in
/// it, so a caller that remembers where each piece started (<see cref="Position"/> before appending it) can find any
/// sample's bytes again.
/// </summary>
/// <remarks>
/// A piece must hold whole elements: a document's start (EBML header, Segment of unknown size, Info, Tracks) or whole
/// Clusters. A later document with the same tracks adds a sample description when a track's CodecPrivate changed.
/// </remarks>
public sealed class Mp4RemuxPlanner
{
    private readonly MatroskaReader _reader = new();
    private readonly Mp4PlanBuilder _builder = new();

    /// <summary>Bytes appended so far: the virtual stream offset where the next piece starts.</summary>
    public long Position => _reader.Position;

    /// <summary>Parses the next piece of the stream.</summary>
    /// <param name="piece">Whole Matroska elements; not kept after the call.</param>
    /// <param name="clusterStartMs">
    /// When set, every cluster of the piece is placed at this time in milliseconds (its frames keep their offsets from
    /// the cluster's own timestamp), so pieces whose clusters count from different origins share one timeline.
    /// </param>
    /// <exception cref="MediaFormatException">
    /// The piece is malformed or ends inside an element, or a track's CodecPrivate is missing or malformed.
    /// </exception>
    public void Append(ReadOnlyMemory<byte> piece, long? clusterStartMs = null)
    {
        _builder.NextClusterStartMs = clusterStartMs;
        var sequence = new SequenceReader<byte>(new ReadOnlySequence<byte>(piece));
        while (_reader.TryRead(ref sequence, out var ev))
        {
            _builder.Handle(_reader, ev);
        }

        if (!sequence.End)
        {
            ThrowHelper.Throw(MediaFormatError.Truncated, "the piece ends inside a Matroska element", _reader.Position);
        }
    }

    /// <summary>Derives the sample tables and the MP4 layout from everything appended.</summary>
    /// <exception cref="MediaFormatException">No H.264 or AAC frame was appended.</exception>
    public Mp4RemuxPlan Build(Mp4LayoutOptions? options = null) => _builder.Build(options);
}
