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
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = _chunks.Acquire(entry.ChunkId);
        if (lease is null)
        {
            return StorageResult<StoredFragment>.Fail(StorageError.ResourceNotFound, $"fragment {entry.Number} is no longer stored");
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

            var media = new byte[mediaLength];
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
                Array.Clear(media);
                EncryptionLog.OpenFailed(_logger, entry.Number, entry.StreamId, e.Kind, chunk.Path, entry.Offset, e.Message);
                throw new CorruptSegmentException(chunk.Path, entry.Offset, e.Message, e.Kind, entry.StreamId, entry.Number);
            }

            return StorageResult<StoredFragment>.Ok(new StoredFragment(entry, FragmentRecord.ReadTags(body, tagsLength), media));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
