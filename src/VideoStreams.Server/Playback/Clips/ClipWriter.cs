using System.Buffers;
using System.IO.Pipelines;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// Pass 2: writes a byte range of a planned clip (the whole file is the range [0, size)). Header bytes come from the
/// layout; payload bytes are mapped by <c>Mp4FileLayout.MapRange</c> to sample pieces, and only the fragments holding
/// those samples are read, one at a time, with the last few kept because chunks of the two tracks interleave
/// (a chunk is at most 1 s, so a sample never lies more than a fragment or two behind the newest one read).
/// </summary>
internal sealed class ClipWriter(FragmentStore store, ClipPlan plan)
{
    private const int FlushEvery = 256 << 10;
    private const int Kept = 3;
    private readonly (int Index, byte[]? Media)[] _recent = [(-1, null), (-1, null), (-1, null)];
    private readonly int _largest = plan.Fragments.Length == 0 ? 0 : plan.Fragments.Max(f => f.Size);
    private int _next;
    private Task<StorageResult<int>>? _ahead;
    private int _aheadIndex = -1;
    private byte[]? _aheadBuffer;
    private byte[]? _free;
    private long _remaining;

    /// <summary>Bytes handed to the output so far.</summary>
    public long Written { get; private set; }

    /// <summary>Fragments read so far (a range reads only the ones it needs).</summary>
    public int FragmentsRead { get; private set; }

    /// <summary>Writes [offset, offset + length) of the clip, flushing as it goes; stops early if the reader left.</summary>
    /// <exception cref="InvalidOperationException">A fragment of the plan is no longer stored or changed size.</exception>
    public async Task WriteAsync(PipeWriter output, long offset, long length, CancellationToken cancel)
    {
        var header = plan.Layout.Header;
        long pending = 0;
        foreach (var piece in plan.Layout.MapRange(offset, length))
        {
            if (piece.IsHeader)
            {
                output.Write(header.Span.Slice(piece.SourceOffset, piece.Length));
            }
            else
            {
                var (fragment, at) = plan.Locate(piece.TrackIndex, piece.SampleIndex);
                _remaining = offset + length - piece.FileOffset;
                var media = FindLoaded(fragment) ?? await LoadAsync(fragment);
                output.Write(media.AsSpan(at + piece.SourceOffset, piece.Length));
            }

            pending += piece.Length;
            if (pending >= FlushEvery)
            {
                Written += pending;
                pending = 0;
                var flushed = await output.FlushAsync(cancel);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return;
                }
            }
        }

        Written += pending;
        await output.FlushAsync(cancel);
    }

    private byte[]? FindLoaded(int fragment)
    {
        foreach (var (index, media) in _recent)
        {
            if (index == fragment)
            {
                return media;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads a fragment (from the read started ahead when it is the one expected), and starts reading the next one, so
    /// reading and decrypting it overlaps with sending this one. Fragments are read into at most Kept + 1 buffers of
    /// the plan's largest fragment, reused for the whole clip: no array per fragment (an hour is 1,800 fragments of
    /// about 1 MB, each of which used to be a new large-object-heap array).
    /// </summary>
    private async Task<byte[]> LoadAsync(int fragment)
    {
        StorageResult<int> read;
        byte[] filled;
        if (_ahead is { } ahead && _aheadIndex == fragment)
        {
            read = await ahead;
            filled = _aheadBuffer!;
            _aheadBuffer = null;
        }
        else
        {
            if (_ahead is { } stale)
            {
                // Its buffer is reused below: let the read that is writing into it finish first.
                await stale.ContinueWith(static _ => { }, TaskScheduler.Default);
                _free ??= _aheadBuffer;
                _aheadBuffer = null;
            }

            filled = TakeFree();
            read = Read(fragment, filled);
        }

        _ahead = null;
        var entry = plan.Fragments[fragment];
        if (!read.IsSuccess || read.Value != entry.Size)
        {
            throw new InvalidOperationException(
                $"Fragment {FragmentNumber.Format(entry.Number)} of the clip is no longer stored as planned: {read.Message ?? "its size changed"}.");
        }

        // The slot's previous fragment is the oldest kept; its buffer is free (its bytes were copied to the output).
        _free = _recent[_next].Media;
        _recent[_next] = (fragment, filled);
        _next = (_next + 1) % Kept;
        FragmentsRead++;
        // Only when the range goes on past this fragment's worth of bytes, so a short range does not read a fragment beyond it.
        if (_remaining > entry.Size && fragment + 1 < plan.Fragments.Length && FindLoaded(fragment + 1) is null)
        {
            var buffer = TakeFree();
            _aheadIndex = fragment + 1;
            _aheadBuffer = buffer;
            _ahead = Task.Run(() => Read(fragment + 1, buffer));
        }

        return filled;
    }

    private byte[] TakeFree()
    {
        var buffer = _free ?? new byte[_largest];
        _free = null;
        return buffer;
    }

    private StorageResult<int> Read(int fragment, byte[] destination)
    {
        try
        {
            return store.ReadMedia(plan.Fragments[fragment], destination);
        }
        catch (ArgumentException e)
        {
            // A fragment larger than planned: the store changed under the plan.
            return StorageResult<int>.Fail(StorageError.ResourceNotFound, e.Message);
        }
    }
}
