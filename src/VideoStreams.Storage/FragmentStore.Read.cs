using System.Buffers;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage;

/// <summary>Reading fragments back: every byte is checked before it is served.</summary>
public sealed partial class FragmentStore
{
    /// <summary>Reads a fragment by number.</summary>
    /// <returns>The fragment, or ResourceNotFound when no committed fragment has that number (or retention removed it).</returns>
    /// <exception cref="CorruptSegmentException">The record fails a check (never served as media).</exception>
    public StorageResult<StoredFragment> Read(long fragmentNumber)
    {
        var entry = Index.GetFragment(fragmentNumber);
        return entry is { } found ? Read(found) : StorageResult<StoredFragment>.Fail(StorageError.ResourceNotFound, $"no fragment {fragmentNumber}");
    }

    /// <summary>Reads the fragment an index entry points at.</summary>
    /// <exception cref="CorruptSegmentException">The record fails a check (never served as media).</exception>
    public StorageResult<StoredFragment> Read(in FragmentEntry entry)
    {
        var read = ReadCore(entry, null, out var media, out var tags);
        return read.IsSuccess
            ? StorageResult<StoredFragment>.Ok(new StoredFragment(entry, tags!, media!))
            : StorageResult<StoredFragment>.Fail(read.Error, read.Message!);
    }

    /// <summary>
    /// Reads the media of the fragment an index entry points at into <paramref name="destination"/>, with every check
    /// <see cref="Read(in FragmentEntry)"/> makes, but without a new array per fragment and without decoding the tags:
    /// for readers that stream many fragments (clips), which can reuse one rented buffer.
    /// </summary>
    /// <param name="entry">The fragment.</param>
    /// <param name="destination">At least <see cref="FragmentEntry.Size"/> bytes; the media is written at its start.</param>
    /// <returns>The media's length, or ResourceNotFound when retention removed the fragment's chunk.</returns>
    /// <exception cref="CorruptSegmentException">The record fails a check (never served as media).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the fragment's media.</exception>
    public StorageResult<int> ReadMedia(in FragmentEntry entry, Span<byte> destination) => ReadCore(entry, destination, out _, out _);

    private StorageResult<int> ReadCore(in FragmentEntry entry, Span<byte> destination, out byte[]? allocated, out IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        allocated = null;
        tags = null;
        var intoCaller = destination.Length > 0;
        using var lease = _chunks.Acquire(entry.ChunkId);
        if (lease is null)
        {
            return StorageResult<int>.Fail(StorageError.ResourceNotFound, $"fragment {entry.Number} is no longer stored");
        }

        var chunk = lease.Chunk;
        var buffer = ArrayPool<byte>.Shared.Rent(entry.Length);
        try
        {
            var record = buffer.AsSpan(0, entry.Length);
            if (!chunk.TryReadExactly(entry.Offset, record))
            {
                throw new CorruptSegmentException(chunk.Path, entry.Offset, "record runs past the end of the chunk");
            }

            if (!RecordHeader.TryRead(record, out var header, out var problem))
            {
                throw new CorruptSegmentException(chunk.Path, entry.Offset, problem!);
            }

            if (header.Type != RecordType.Fragment || header.Sequence != entry.Number || header.TotalLength != entry.Length)
            {
                throw new CorruptSegmentException(chunk.Path, entry.Offset, $"record is not fragment {entry.Number} as the index says");
            }

            var body = record[RecordHeader.Size..];
            if (Crc32C.Compute(body) != header.BodyCrc)
            {
                throw new CorruptSegmentException(chunk.Path, entry.Offset, "record body checksum mismatch");
            }

            if (!FragmentRecord.TryParse(body, out var metadata, out var tagsLength, out var mediaLength, out _, out _) || metadata.StreamId != entry.StreamId)
            {
                throw new CorruptSegmentException(chunk.Path, entry.Offset, "fragment metadata does not match the index");
            }

            if (intoCaller && destination.Length < mediaLength)
            {
                throw new ArgumentException($"fragment {entry.Number} holds {mediaLength} bytes of media; the destination has {destination.Length}", nameof(destination));
            }

            var media = intoCaller ? destination[..mediaLength] : (allocated = new byte[mediaLength]);
            try
            {
                FragmentRecord.OpenMedia(body, entry.Number, entry.ChunkId, entry.Offset, _sealer, media);
            }
            catch (InvalidDataException e)
            {
                throw new CorruptSegmentException(chunk.Path, entry.Offset, e.Message, CorruptionKind.Damaged, entry.StreamId, entry.Number);
            }
            catch (SealException e)
            {
                media.Clear();
                EncryptionLog.OpenFailed(_logger, entry.Number, entry.StreamId, e.Kind, chunk.Path, entry.Offset, e.Message);
                throw new CorruptSegmentException(chunk.Path, entry.Offset, e.Message, e.Kind, entry.StreamId, entry.Number);
            }

            if (!intoCaller)
            {
                tags = FragmentRecord.ReadTags(body, tagsLength);
            }

            return StorageResult<int>.Ok(mediaLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
