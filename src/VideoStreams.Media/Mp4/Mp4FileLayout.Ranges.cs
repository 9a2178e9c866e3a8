namespace VideoStreams.Media.Mp4;

public sealed partial class Mp4FileLayout
{
    /// <summary>
    /// Splits the byte range [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the
    /// file into header slices and sample slices, in file order, so an HTTP Range request can be answered by
    /// copying only those bytes. Enumerating does not allocate.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the file.</exception>
    public RangeEnumerable MapRange(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, FileSize - offset, nameof(length));
        return new RangeEnumerable(this, offset, offset + length);
    }

    /// <summary>Index in <see cref="_chunks"/> of the chunk holding the payload byte at <paramref name="position"/>.</summary>
    private int FindChunkAt(long position)
    {
        // The last chunk starting at or before the position; empty chunks share their successor's offset and lose to it.
        int lo = 0, hi = _chunks.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_chunks[mid].FileOffset <= position)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>The pieces of a byte range; see <see cref="MapRange"/>.</summary>
    public readonly struct RangeEnumerable
    {
        private readonly Mp4FileLayout _layout;
        private readonly long _start;
        private readonly long _end;

        internal RangeEnumerable(Mp4FileLayout layout, long start, long end)
        {
            _layout = layout;
            _start = start;
            _end = end;
        }

        /// <summary>Returns the enumerator (used by <c>foreach</c>).</summary>
        public RangeEnumerator GetEnumerator() => new(_layout, _start, _end);
    }

    /// <summary>Walks the pieces of a byte range, sample by sample.</summary>
    public struct RangeEnumerator
    {
        private readonly Mp4FileLayout _layout;
        private readonly long _end;
        private long _position;
        private int _chunk;
        private int _sample;
        private long _sampleStart;

        internal RangeEnumerator(Mp4FileLayout layout, long start, long end)
        {
            _layout = layout;
            _position = start;
            _end = end;
            _chunk = -1;
        }

        /// <summary>The current piece.</summary>
        public Mp4RangePiece Current { get; private set; }

        /// <summary>Moves to the next piece; false when the range is exhausted.</summary>
        public bool MoveNext()
        {
            if (_position >= _end)
            {
                return false;
            }

            var headerLength = _layout._header.Length;
            if (_position < headerLength)
            {
                var length = (int)(Math.Min(_end, headerLength) - _position);
                Current = new Mp4RangePiece(_position, length, -1, -1, (int)_position);
                _position += length;
                return true;
            }

            var chunks = _layout._chunks;
            if (_chunk < 0)
            {
                _chunk = _layout.FindChunkAt(_position);
                _sample = chunks[_chunk].FirstSample;
                _sampleStart = chunks[_chunk].FileOffset;
            }

            // Skip the samples that end at or before the position (all but the first piece start at a sample start).
            while (true)
            {
                var chunk = chunks[_chunk];
                if (_sample == chunk.FirstSample + chunk.SampleCount)
                {
                    _chunk++;
                    _sample = chunks[_chunk].FirstSample;
                    _sampleStart = chunks[_chunk].FileOffset;
                    continue;
                }

                var size = _layout._samples[chunk.TrackIndex].Span[_sample].Size;
                if (_sampleStart + size > _position)
                {
                    var length = (int)(Math.Min(_end, _sampleStart + size) - _position);
                    Current = new Mp4RangePiece(_position, length, chunk.TrackIndex, _sample, (int)(_position - _sampleStart));
                    _position += length;
                    return true;
                }

                _sampleStart += size;
                _sample++;
            }
        }
    }
}
