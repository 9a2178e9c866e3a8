using System.Buffers;
using System.Diagnostics.Metrics;
using VideoStreams.Media.H264;
using VideoStreams.Media.Matroska;
using VideoStreams.Producer.Buffers;

namespace VideoStreams.Producer.Fragmenting;

/// <summary>
/// Cuts encoded H.264 access units into keyframe-aligned Matroska clusters, one per fragment, in the layout the KVS
/// producer SDK sends: ABSOLUTE cluster timestamps (epoch milliseconds, TimestampScale 1 ms), a Segment and Clusters
/// of unknown size, AVCC frames with an avcC CodecPrivate.
/// <list type="bullet">
/// <item>A fragment ends on a key frame once <see cref="FragmenterOptions.FragmentDuration"/> has passed since its
/// start, on a key frame that carries new SPS/PPS (which also starts a new stream header), or, with no key frame for
/// <see cref="FragmenterOptions.MaxFragmentDuration"/>, on any frame.</item>
/// <item>Frames before the first key frame with known SPS/PPS are dropped (counted in <see cref="FramesDropped"/>).</item>
/// <item>Optional tags (<see cref="AddTag"/>) are written as a Tags element before the cluster; an optional data
/// track (<see cref="AddDataSample"/>) gets an empty heartbeat block in any fragment without a sample.</item>
/// </list>
/// Frames are converted and copied into pooled buffers: the only allocation per fragment is its final byte array.
/// Not thread-safe: one thread feeds it.
/// </summary>
public sealed partial class Fragmenter : IDisposable
{
    private const ulong VideoTrackNumber = 1;
    private const ulong DataTrackNumber = 2;
    private const int NalLengthSize = 4;

    private readonly FragmenterOptions _options;
    private readonly long _fragmentDurationMs;
    private readonly long _maxFragmentMs;
    private readonly PooledBufferWriter _body = new(256 * 1024);
    private readonly FragmenterMetrics _metrics;
    private byte[] _frameScratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private MatroskaWriter? _writer;
    private bool _open;
    private bool _fragmentStartsWithKeyframe;
    private long _clusterTimestamp;
    private long _lastTimestamp;
    private long _lastInterval;
    private int _frameCount;
    private long _nextSequence;
    private bool _disposed;

    /// <summary>Creates a fragmenter.</summary>
    /// <param name="options">How to cut and describe fragments (defaults: 2 s, no data track).</param>
    /// <param name="meterFactory">Where its metrics go (a private meter when null).</param>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="FragmenterOptions.Validate"/>).</exception>
    public Fragmenter(FragmenterOptions? options = null, IMeterFactory? meterFactory = null)
    {
        _options = options ?? new FragmenterOptions();
        _options.Validate();
        _metrics = new FragmenterMetrics(meterFactory, _options.StreamName);
        _fragmentDurationMs = (long)_options.FragmentDuration.TotalMilliseconds;
        _maxFragmentMs = (long)_options.MaxFragmentDuration.TotalMilliseconds;
        _nextSequence = _options.FirstSequenceNumber;
    }

    /// <summary>The sequence number the next fragment will get.</summary>
    public long NextSequenceNumber => _nextSequence;

    /// <summary>Frames dropped: before the first key frame with known SPS/PPS, or too far behind the fragment's start.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Fragments cut without a key frame because none came within <see cref="FragmenterOptions.MaxFragmentDuration"/>.</summary>
    public long ForcedCuts { get; private set; }

    /// <summary>True while a fragment is being built.</summary>
    public bool IsFragmentOpen => _open;

    /// <summary>
    /// With <see cref="FragmenterOptions.FramesAsCaptured"/>, the bytes of the fragment in progress written so far
    /// (its Tags, then its Cluster of unknown size up to the last block written): each call after the previous one
    /// only appends to them, and the completed fragment's <see cref="ProducerFragment.Body"/> starts with them.
    /// Empty when no fragment is open or the option is off. Valid until the next call on the fragmenter.
    /// </summary>
    public ReadOnlySpan<byte> FragmentInProgress => _open && _options.FramesAsCaptured ? _body.WrittenSpan : default;

    /// <summary>The sequence number of the fragment in progress (that of the next fragment when none is open).</summary>
    public long FragmentInProgressSequenceNumber => _nextSequence;

    /// <summary>The cluster timestamp (ms since the Unix epoch) of the fragment in progress; meaningless when none is open.</summary>
    public long FragmentInProgressTimestampMs => _clusterTimestamp;

    /// <summary>
    /// Adds one access unit (all NAL units of one picture). Returns the fragment this frame completed, if it starts a
    /// new one; the frame itself is then the first of the new fragment.
    /// </summary>
    /// <param name="accessUnit">The access unit; copied, so the caller may reuse its buffer at once.</param>
    /// <param name="timestampMs">Presentation time on the capture wall clock, in ms since the Unix epoch.</param>
    /// <param name="format">Annex B (converted to AVCC) or AVCC with four-byte lengths.</param>
    /// <returns>The completed fragment, or null.</returns>
    /// <exception cref="VideoStreams.Media.MediaFormatException">The access unit is not valid H.264 framing, or its SPS/PPS do not parse.</exception>
    /// <exception cref="ArgumentException">Empty access unit or negative timestamp.</exception>
    public ProducerFragment? Add(ReadOnlySpan<byte> accessUnit, long timestampMs, AccessUnitFormat format = AccessUnitFormat.AnnexB)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (accessUnit.IsEmpty)
        {
            throw new ArgumentException("An access unit needs at least one NAL unit.", nameof(accessUnit));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(timestampMs);
        var length = ToAvcc(accessUnit, format);
        var frame = _frameScratch.AsSpan(0, length);
        var isKeyframe = H264Nal.ContainsIdr(frame, NalLengthSize);
        if (H264Nal.TryFindParameterSets(frame, NalLengthSize, out var sps, out var pps))
        {
            NoteParameterSets(sps, pps);
        }

        ProducerFragment? completed = null;
        if (!_open)
        {
            if (!isKeyframe || !HasConfiguration)
            {
                FramesDropped++;
                _metrics.DroppedFrame();
                return null;
            }

            StartFragment(timestampMs, startsWithKeyframe: true);
        }
        else
        {
            var elapsed = timestampMs - _clusterTimestamp;
            // Capture clocks jitter: the key frame that an encoder puts one GOP (= the fragment duration) after the
            // last may be stamped a few, or after a late first frame tens of, milliseconds early. Slack of a tenth of
            // the duration (at least half a frame) keeps it from waiting a whole extra GOP.
            if (isKeyframe && (elapsed >= _fragmentDurationMs - Math.Max(_lastInterval / 2, _fragmentDurationMs / 10) || HasPendingConfiguration || elapsed < short.MinValue))
            {
                completed = CloseFragment(timestampMs);
                StartFragment(timestampMs, startsWithKeyframe: true);
            }
            else if (!isKeyframe && elapsed >= _maxFragmentMs)
            {
                ForcedCuts++;
                _metrics.ForcedCut();
                completed = CloseFragment(timestampMs);
                StartFragment(timestampMs, startsWithKeyframe: false);
            }
            else if (elapsed < short.MinValue)
            {
                // A clock step backwards by more than a cluster can express: wait for the next key frame.
                FramesDropped++;
                _metrics.DroppedFrame();
                return null;
            }
        }

        WriteVideoFrame(timestampMs, isKeyframe, length);
        return completed;
    }

    /// <summary>
    /// Ends the fragment in progress (at shutdown, so that it can go to the spool) and returns it, or null when none
    /// is open. Its duration runs to the last frame's time plus the last frame interval seen.
    /// </summary>
    public ProducerFragment? Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _open ? CloseFragment(_lastTimestamp + Math.Max(_lastInterval, 1)) : null;
    }

    /// <summary>Returns the pooled buffers. A fragment in progress is lost: call <see cref="Flush"/> first to keep it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _metrics.Dispose();
        _writer?.Dispose();
        _body.Dispose();
        _pendingData.Dispose();
        ArrayPool<byte>.Shared.Return(_frameScratch);
        _frameScratch = [];
        if (_dataScratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_dataScratch);
            _dataScratch = [];
        }
    }

    private int ToAvcc(ReadOnlySpan<byte> accessUnit, AccessUnitFormat format)
    {
        var size = format == AccessUnitFormat.AnnexB ? H264Nal.GetAvccSize(accessUnit, NalLengthSize) : accessUnit.Length;
        if (_frameScratch.Length < size)
        {
            ArrayPool<byte>.Shared.Return(_frameScratch);
            _frameScratch = ArrayPool<byte>.Shared.Rent(size);
        }

        if (format == AccessUnitFormat.AnnexB)
        {
            return H264Nal.AnnexBToAvcc(accessUnit, _frameScratch, NalLengthSize);
        }

        accessUnit.CopyTo(_frameScratch);
        return size;
    }

    private void StartFragment(long timestampMs, bool startsWithKeyframe)
    {
        if (HasPendingConfiguration)
        {
            ApplyPendingConfiguration();
        }

        if (_options.FramesAsCaptured && TakeTags() is { } tags)
        {
            // Before the cluster, so that what is sent as it is captured is final (see FragmenterOptions.FramesAsCaptured).
            _writer!.WriteTags(tags);
        }

        _writer!.BeginCluster(timestampMs);
        _open = true;
        _fragmentStartsWithKeyframe = startsWithKeyframe;
        _clusterTimestamp = timestampMs;
        _lastTimestamp = timestampMs;
        _frameCount = 0;
        OnFragmentStarted();
    }

    private void WriteVideoFrame(long timestampMs, bool isKeyframe, int length)
    {
        if (_frameCount > 0 && timestampMs > _lastTimestamp)
        {
            _lastInterval = timestampMs - _lastTimestamp;
        }

        var data = new ReadOnlyMemory<byte>(_frameScratch, 0, length);
        _writer!.WriteFrame(new MatroskaFrame(VideoTrackNumber, timestampMs, isKeyframe, data));
        _lastTimestamp = Math.Max(_lastTimestamp, timestampMs);
        _frameCount++;
        if (_pendingData.WrittenCount > 0)
        {
            DrainDataSamples(_lastTimestamp);
        }
    }

    private ProducerFragment CloseFragment(long endTimestampMs)
    {
        CompleteDataTrack(endTimestampMs);
        _writer!.EndCluster();
        var clusterLength = _body.WrittenCount;
        var tags = _options.FramesAsCaptured ? null : TakeTags();
        if (tags is not null)
        {
            _writer.WriteTags(tags);
        }

        // The tags were appended after the cluster (the writer streams the cluster before the tags are known);
        // they go first in the fragment, where KVS expects a fragment's metadata. With FramesAsCaptured they were
        // written first already and the body is the bytes as written.
        var written = _body.WrittenSpan;
        var bytes = new byte[written.Length];
        written[clusterLength..].CopyTo(bytes);
        written[..clusterLength].CopyTo(bytes.AsSpan(written.Length - clusterLength));
        _body.Clear();
        _open = false;
        _metrics.Fragment(bytes.Length);

        return new ProducerFragment(
            _nextSequence++,
            _headerVersion,
            _header!,
            bytes,
            _clusterTimestamp,
            Math.Max(0, endTimestampMs - _clusterTimestamp),
            _fragmentStartsWithKeyframe,
            _frameCount);
    }
}
