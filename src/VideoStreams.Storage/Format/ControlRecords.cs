using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Format;

/// <summary>
/// Records of the control log: every stream change (its full metadata after the change), deletions, and fragment
/// number reservations. With them the whole index, streams included, can be rebuilt from the files alone.
/// </summary>
internal static class ControlRecords
{
    public static byte[] Stream(long sequence, StreamRecord stream) =>
        Build(RecordType.Stream, sequence, JsonSerializer.SerializeToUtf8Bytes(stream, ControlJson.Default.StreamRecord));

    public static byte[] StreamDeleted(long sequence, long streamId)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(body, streamId);
        return Build(RecordType.StreamDeleted, sequence, body);
    }

    /// <summary>Fragment numbers below <paramref name="reservedEnd"/> may be handed out; after a restart numbering resumes there.</summary>
    public static byte[] NumberReservation(long sequence, long reservedEnd)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(body, reservedEnd);
        return Build(RecordType.NumberReservation, sequence, body);
    }

    /// <summary>Retention decided to delete a chunk; written (and synced) before the chunk's rows and file go.</summary>
    public static byte[] ChunkRetired(long sequence, long chunkId)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(body, chunkId);
        return Build(RecordType.ChunkRetired, sequence, body);
    }

    /// <summary>A data key, wrapped; written (and synced) before anything is sealed with it.</summary>
    public static byte[] DataKey(long sequence, Encryption.DataKeyRecord key) => Build(RecordType.DataKey, sequence, key.ToBody());

    /// <summary>Ends a compaction: the records before it in its chunk are the whole state.</summary>
    public static byte[] ControlCompacted(long sequence, long records)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(body, records);
        return Build(RecordType.ControlCompacted, sequence, body);
    }

    public static StreamRecord ReadStream(ReadOnlySpan<byte> body) =>
        JsonSerializer.Deserialize(body, ControlJson.Default.StreamRecord) ?? throw new InvalidDataException("empty stream record");

    public static long ReadLong(ReadOnlySpan<byte> body) =>
        body.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(body) : throw new InvalidDataException("control record of the wrong length");

    private static byte[] Build(RecordType type, long sequence, ReadOnlySpan<byte> body)
    {
        var record = new byte[RecordHeader.Size + body.Length];
        body.CopyTo(record.AsSpan(RecordHeader.Size));
        new RecordHeader(type, record.Length, sequence, Crc32C.Compute(body)).Write(record);
        return record;
    }
}

/// <summary>Source-generated JSON for control records (no reflection; AOT-safe).</summary>
[JsonSerializable(typeof(StreamRecord))]
internal sealed partial class ControlJson : JsonSerializerContext;
