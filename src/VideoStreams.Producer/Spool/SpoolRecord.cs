using System.Buffers;
using MessagePack;

namespace VideoStreams.Producer.Spool;

internal enum SpoolRecordKind
{
    Fragment = 1,
    Acknowledgement = 2,
    Expiry = 3,
}

/// <summary>What recovery needs from a record, read without copying its media.</summary>
internal readonly record struct SpoolRecordInfo(SpoolRecordKind Kind, long Sequence, long TimestampMs, long SpooledAtMs);

/// <summary>
/// Record payloads, as MessagePack arrays written and read field by field (no reflection, no attributes):
/// <list type="bullet">
/// <item>fragment: <c>[1, sequence, timestampMs, durationMs, headerVersion, flags (1 = starts with key frame),
/// frameCount, spooledAtMs, header (bin), body (bin)]</c></item>
/// <item>acknowledgement: <c>[2, sequence, acknowledgedAtMs]</c></item>
/// <item>expiry (dropped for age, so a restart neither replays nor counts it again): <c>[3, sequence, droppedAtMs]</c></item>
/// </list>
/// Readers take the fields they know and skip any that a later version appends.
/// </summary>
internal static class SpoolRecord
{
    private const int FragmentFields = 10;
    private const int AcknowledgementFields = 3;

    public static void WriteFragment(IBufferWriter<byte> output, ProducerFragment fragment, long spooledAtMs)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(FragmentFields);
        writer.Write((int)SpoolRecordKind.Fragment);
        writer.Write(fragment.SequenceNumber);
        writer.Write(fragment.TimestampMs);
        writer.Write(fragment.DurationMs);
        writer.Write(fragment.HeaderVersion);
        writer.Write(fragment.StartsWithKeyframe ? 1 : 0);
        writer.Write(fragment.FrameCount);
        writer.Write(spooledAtMs);
        writer.Write(fragment.Header.Span);
        writer.Write(fragment.Body.Span);
        writer.Flush();
    }

    public static void WriteRelease(IBufferWriter<byte> output, SpoolRecordKind kind, long sequence, long acknowledgedAtMs)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(AcknowledgementFields);
        writer.Write((int)kind);
        writer.Write(sequence);
        writer.Write(acknowledgedAtMs);
        writer.Flush();
    }

    /// <summary>Reads the kind, sequence and times. False when the payload is not a record this version knows.</summary>
    public static bool TryReadInfo(ReadOnlyMemory<byte> payload, out SpoolRecordInfo info)
    {
        info = default;
        try
        {
            var reader = new MessagePackReader(payload);
            var count = reader.ReadArrayHeader();
            if (count < AcknowledgementFields)
            {
                return false;
            }

            var kind = (SpoolRecordKind)reader.ReadInt32();
            var sequence = reader.ReadInt64();
            if (kind is SpoolRecordKind.Acknowledgement or SpoolRecordKind.Expiry)
            {
                info = new SpoolRecordInfo(kind, sequence, 0, reader.ReadInt64());
                return true;
            }

            if (kind != SpoolRecordKind.Fragment || count < FragmentFields)
            {
                return false;
            }

            var timestamp = reader.ReadInt64();
            reader.Skip(); // duration
            reader.Skip(); // header version
            reader.Skip(); // flags
            reader.Skip(); // frame count
            info = new SpoolRecordInfo(kind, sequence, timestamp, reader.ReadInt64());
            return true;
        }
        catch (MessagePackSerializationException)
        {
            // Checksummed bytes that do not decode: written by a newer, incompatible version. The caller counts it.
            return false;
        }
    }

    /// <summary>Decodes a fragment record (header and body copied out of the read buffer).</summary>
    /// <exception cref="MessagePackSerializationException">The payload is not a fragment record.</exception>
    public static ProducerFragment ReadFragment(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        var count = reader.ReadArrayHeader();
        if (count < FragmentFields || (SpoolRecordKind)reader.ReadInt32() != SpoolRecordKind.Fragment)
        {
            throw new MessagePackSerializationException("Not a fragment record.");
        }

        var sequence = reader.ReadInt64();
        var timestamp = reader.ReadInt64();
        var duration = reader.ReadInt64();
        var headerVersion = reader.ReadInt32();
        var flags = reader.ReadInt32();
        var frameCount = reader.ReadInt32();
        reader.Skip(); // spooled at
        var header = reader.ReadBytes()?.ToArray() ?? [];
        var body = reader.ReadBytes()?.ToArray() ?? [];
        return new ProducerFragment(sequence, headerVersion, header, body, timestamp, duration, (flags & 1) != 0, frameCount);
    }
}
