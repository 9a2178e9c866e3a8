using System.Buffers;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

/// <summary>
/// Writes Matroska in the live layout KVS producers send: EBML header, a Segment of unknown size, Info, Tracks,
/// then per fragment optional Tags, one Cluster of SimpleBlocks, optional Tags. Clusters are written either at once
/// with a known size (<see cref="WriteCluster"/>) or streamed with an unknown size
/// (<see cref="BeginCluster"/>, <see cref="WriteFrame"/>, <see cref="EndCluster"/>). Frames are copied straight to
/// the output with no allocation. Calling <see cref="WriteHeader"/> again starts a new EBML document, as GetMedia
/// does for every chunk.
/// </summary>
public sealed partial class MatroskaWriter : IDisposable
{
    /// <summary>MuxingApp and WritingApp written when the segment info names none.</summary>
    public const string AppName = "VideoStreams";

    /// <summary>The EBML header written when none is given: matroska, DocTypeVersion 4, DocTypeReadVersion 2.</summary>
    public static readonly EbmlHeader DefaultEbmlHeader = new("matroska", 4, 2);

    private readonly IBufferWriter<byte> _output;
    private EbmlWriterBuffer? _scratch;
    private ulong[] _trackNumbers = [];
    private bool _headerWritten;
    private bool _inCluster;
    private long _clusterTimestamp;

    /// <summary>Creates a writer appending to <paramref name="output"/>.</summary>
    public MatroskaWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Bytes written so far (offsets of elements can be taken from it between calls).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True between <see cref="BeginCluster"/> and <see cref="EndCluster"/>.</summary>
    public bool InCluster => _inCluster;

    /// <summary>
    /// Starts a document: the EBML header, a Segment of unknown size, Info and Tracks. A track whose
    /// <see cref="MatroskaTrack.Uid"/> is 0 gets its number as UID (Matroska forbids a zero UID).
    /// </summary>
    /// <exception cref="ArgumentException">A track or the info is not writable (no tracks, duplicate numbers, …).</exception>
    /// <exception cref="InvalidOperationException">A streamed cluster is still open.</exception>
    public void WriteHeader(MatroskaSegmentInfo info, IReadOnlyList<MatroskaTrack> tracks, EbmlHeader? ebmlHeader = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(tracks);
        ThrowIfInCluster();
        var header = ebmlHeader ?? DefaultEbmlHeader;
        Validate(header, info, tracks);

        var scratch = Scratch();
        WriteEbmlHeader(scratch, header);
        EbmlWriter.WriteUnknownSizeElementHeader(scratch, MatroskaIds.Segment);
        WriteInfo(scratch, info);
        WriteTracks(scratch, tracks);
        BytesWritten += scratch.CopyTo(_output);

        if (_trackNumbers.Length != tracks.Count)
        {
            _trackNumbers = new ulong[tracks.Count];
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            _trackNumbers[i] = tracks[i].Number;
        }

        _headerWritten = true;
    }

    /// <summary>Returns the scratch buffer to the pool.</summary>
    public void Dispose()
    {
        _scratch?.Dispose();
        _scratch = null;
    }

    private EbmlWriterBuffer Scratch()
    {
        var scratch = _scratch ??= new EbmlWriterBuffer();
        scratch.Clear();
        return scratch;
    }

    private void ThrowIfInCluster()
    {
        if (_inCluster)
        {
            throw new InvalidOperationException("A streamed cluster is open: call EndCluster first.");
        }
    }

    private void ThrowIfNoHeader()
    {
        if (!_headerWritten)
        {
            throw new InvalidOperationException("Write the header (EBML, Segment, Info, Tracks) first.");
        }
    }
}
