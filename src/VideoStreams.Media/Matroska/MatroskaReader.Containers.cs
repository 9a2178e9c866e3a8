using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

/// <summary>Where Segments and Clusters end: at their size, at an element that cannot be their child, or at end of input.</summary>
public sealed partial class MatroskaReader
{
    /// <summary>A sized Cluster or Segment whose last byte has been consumed ends here.</summary>
    private bool TryCloseSizedContainer(out MatroskaEvent ev)
    {
        if (_inCluster && _clusterEnd >= 0 && _position >= _clusterEnd)
        {
            _inCluster = false;
            ev = new MatroskaEvent(MatroskaEventKind.ClusterEnd, _position);
            return true;
        }

        if (!_inCluster && _inSegment && _segmentEnd >= 0 && _position >= _segmentEnd)
        {
            _inSegment = false;
            ev = new MatroskaEvent(MatroskaEventKind.SegmentEnd, _position);
            return true;
        }

        ev = default;
        return false;
    }

    /// <summary>An element that cannot be a child of an open unknown-size Cluster or Segment ends it.</summary>
    private bool EndsUnknownSizeContainer(uint id, out MatroskaEvent ev)
    {
        var startsDocument = id is MatroskaIds.Ebml or MatroskaIds.Segment;
        if (_inCluster && _clusterEnd < 0 && (startsDocument || IsSegmentLevel(id)))
        {
            _inCluster = false;
            ev = new MatroskaEvent(MatroskaEventKind.ClusterEnd, _position);
            return true;
        }

        if (!_inCluster && _inSegment && _segmentEnd < 0 && startsDocument)
        {
            _inSegment = false;
            ev = new MatroskaEvent(MatroskaEventKind.SegmentEnd, _position);
            return true;
        }

        ev = default;
        return false;
    }

    private static bool IsSegmentLevel(uint id) => id is MatroskaIds.Cluster or MatroskaIds.Info or MatroskaIds.Tracks
        or MatroskaIds.Tags or MatroskaIds.Cues or MatroskaIds.SeekHead or MatroskaIds.Chapters or MatroskaIds.Attachments;

    /// <summary>Input ended at an element boundary: close what unknown sizes left open; anything else was cut short.</summary>
    private bool TryFinish(long remaining, out MatroskaEvent ev)
    {
        ev = default;
        if (remaining > 0)
        {
            return ThrowTruncated();
        }

        if (_inCluster)
        {
            if (_clusterEnd >= 0)
            {
                ThrowTruncated();
            }

            _inCluster = false;
            ev = new MatroskaEvent(MatroskaEventKind.ClusterEnd, _position);
            return true;
        }

        if (_inSegment)
        {
            if (_segmentEnd >= 0)
            {
                ThrowTruncated();
            }

            _inSegment = false;
            ev = new MatroskaEvent(MatroskaEventKind.SegmentEnd, _position);
            return true;
        }

        if (!_headerSeen)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidEbmlHeader, "input holds no EBML document", _position);
        }

        return false;
    }

    private void CheckSize(EbmlElementHeader header)
    {
        var isContainer = header.Id is MatroskaIds.Segment or MatroskaIds.Cluster;
        if (header.IsUnknownSize)
        {
            if (!isContainer)
            {
                ThrowHelper.Throw(MediaFormatError.UnknownSizeNotAllowed, $"element 0x{header.Id:X} has an unknown size", _position);
            }

            return;
        }

        if (!isContainer && header.Size > _options.MaxElementSize)
        {
            ThrowHelper.Throw(MediaFormatError.ElementTooLarge, $"element 0x{header.Id:X} claims {header.Size} bytes, over the limit of {_options.MaxElementSize}", _position);
        }

        var end = _position + header.HeaderLength + header.Size;
        var parentEnd = _inCluster && _clusterEnd >= 0 ? _clusterEnd : _inSegment && _segmentEnd >= 0 ? _segmentEnd : long.MaxValue;
        if (end > parentEnd || end < _position)
        {
            ThrowHelper.Throw(MediaFormatError.ElementOutsideParent, $"element 0x{header.Id:X} of {header.Size} bytes runs past its parent", _position);
        }
    }
}
